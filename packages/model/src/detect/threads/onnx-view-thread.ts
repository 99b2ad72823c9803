import type { BlazefaceOutputs } from "../blazeface-model";
import type { OnnxViewRequest } from "./onnx-view-worker";
import { startRpcThread } from "../../workers";

/** A worker thread running converted-BlazeFace views on its own onnxruntime session. */
export interface OnnxViewThread {
  /** Moves `input` to the worker: the caller must not reuse it. */
  runView(input: Float32Array, width: number, height: number): Promise<BlazefaceOutputs>;
  terminate(): Promise<void>;
}

export async function startOnnxViewThread(modelBytes: Uint8Array): Promise<OnnxViewThread> {
  const thread = await startRpcThread<Uint8Array, OnnxViewRequest, BlazefaceOutputs>(
    new URL("./onnx-view-worker.ts", import.meta.url),
    modelBytes,
    "face detector onnx worker",
  );
  return {
    runView: (input, width, height) => thread.call({ input, width, height }, [input.buffer as ArrayBuffer]),
    terminate: () => thread.terminate(),
  };
}
