/**
 * Worker thread that runs BlazeFace on tfjs for 256x256 views rendered by the main thread. tfjs-wasm uses one core
 * per isolate under Node, so a second isolate is how detection uses the second core on the tfjs engine.
 */
import type { BackendPreference } from "../../backend";
import { selectBackend } from "../../backend";
import { loadBlazeface, runBlazeface } from "../blazeface-model";
import { serveRpc } from "../../workers";

export interface BlazefaceWorkerInit {
  backend?: BackendPreference;
  modelPath?: string;
}

serveRpc<BlazefaceWorkerInit, Uint8Array, Float32Array>(async (init) => {
  await selectBackend(init.backend, { logger: () => {} });
  const model = await loadBlazeface(...(init.modelPath ? [init.modelPath] : []));
  return async (pixels) => {
    const raw = runBlazeface(model, pixels);
    return { result: raw, transfer: [raw.buffer as ArrayBuffer] };
  };
});
