/**
 * Worker thread that runs BlazeFace on 256x256 views rendered by the main thread. tfjs-wasm uses one core per
 * isolate under Node, so a second isolate is how detection uses the second core. Protocol:
 *   in:  { type: "init", backend? }            out: { type: "ready" } | { type: "failed", message }
 *   in:  { type: "run", id, pixels }           out: { type: "result", id, raw } | { type: "error", id, message }
 */
import { parentPort } from "node:worker_threads";
import type { BackendPreference } from "../backend";
import { selectBackend } from "../backend";
import { loadBlazeface, runBlazeface } from "../detect/blazeface-model";
import type { tf } from "../tf";

export type WorkerRequest =
  | { type: "init"; backend?: BackendPreference; modelPath?: string }
  | { type: "run"; id: number; pixels: Uint8Array };
export type WorkerResponse =
  | { type: "ready" }
  | { type: "failed"; message: string }
  | { type: "result"; id: number; raw: Float32Array }
  | { type: "error"; id: number; message: string };

const port = parentPort;
let model: tf.GraphModel | undefined;
const post = (message: WorkerResponse, transfer: ArrayBuffer[] = []) => port?.postMessage(message, transfer);
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

port?.on("message", async (request: WorkerRequest) => {
  if (request.type === "init") {
    try {
      await selectBackend(request.backend, { logger: () => {} });
      model = await loadBlazeface(...(request.modelPath ? [request.modelPath] : []));
      post({ type: "ready" });
    } catch (error) {
      post({ type: "failed", message: messageOf(error) });
    }
    return;
  }
  try {
    if (!model) throw new Error("worker not initialised");
    const raw = runBlazeface(model, request.pixels);
    post({ type: "result", id: request.id, raw }, [raw.buffer as ArrayBuffer]);
  } catch (error) {
    post({ type: "error", id: request.id, message: messageOf(error) });
  }
});
