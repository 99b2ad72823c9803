/**
 * Worker thread with its own onnxruntime session of the converted BlazeFace graph. onnxruntime-node computes a run
 * on the JS thread that called it, so one session per thread is how several cores detect one photo's views.
 */
import type { BlazefaceOutputs } from "../blazeface-model";
import { openOnnxBlazeface } from "../blazeface-onnx";
import { serveRpc } from "../../workers";

export interface OnnxViewRequest {
  /** The network's float input (NHWC, `viewInput` / `toNetworkInput`). */
  input: Float32Array;
  width: number;
  height: number;
}

serveRpc<Uint8Array, OnnxViewRequest, BlazefaceOutputs>(async (modelBytes) => {
  const session = await openOnnxBlazeface(modelBytes);
  return async ({ input, width, height }) => {
    const result = await session.runView(input, width, height);
    const buffers = new Set(
      result.grids.flatMap((grid) => [grid.logits.buffer, grid.regressors.buffer] as ArrayBuffer[]),
    );
    return { result, transfer: [...buffers] };
  };
});
