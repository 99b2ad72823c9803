// The detector's worker threads (more cores for one photo's detection: tfjs-wasm and onnxruntime-node each compute
// on the JS thread that calls them), on the generic RPC thread of ../../workers.
export { startBlazefaceThread, type BlazefaceThread } from "./blazeface-thread";
export { startOnnxViewThread, type OnnxViewThread } from "./onnx-view-thread";
