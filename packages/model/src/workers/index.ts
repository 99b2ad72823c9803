// Worker threads: more cores for one photo's detection (tfjs-wasm and onnxruntime-node each compute on the JS
// thread that calls them).
export { startBlazefaceThread, type BlazefaceThread } from "./blazeface-thread";
export { startOnnxViewThread, type OnnxViewThread } from "./onnx-view-thread";
