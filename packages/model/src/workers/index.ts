// Worker threads: the second core for tfjs-wasm (one core per isolate under Node).
export { startBlazefaceThread, type BlazefaceThread } from "./blazeface-thread";
