// Worker threads that answer requests one message at a time (the detector's in detect/threads, saliency's in
// explain/). Generic: nothing here imports the code that runs inside a worker.
export { serveRpc, startRpcThread, type RpcThread } from "./rpc-thread";
