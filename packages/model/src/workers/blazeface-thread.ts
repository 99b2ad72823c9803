import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { AppError } from "@moodlens/shared";
import type { BackendPreference } from "../backend";
import type { WorkerRequest, WorkerResponse } from "./blazeface-worker";

/** Runs BlazeFace in a worker thread: `run(pixels)` resolves with the raw 896x17 outputs. */
export interface BlazefaceThread {
  run(pixels: Uint8Array): Promise<Float32Array>;
  terminate(): Promise<void>;
}

const require = createRequire(import.meta.url);

/**
 * The worker is TypeScript like the rest of the package (no build step). On Node 20 `execArgv: ["--import", "tsx"]`
 * does not reach a worker's entry module (ERR_UNKNOWN_FILE_EXTENSION, measured), so a tiny bootstrap registers
 * tsx's ESM hooks inside the worker and then imports the .ts entry. Paths are absolute: no dependence on cwd.
 */
function bootstrapCode(entry: URL): string {
  const tsxApi = pathToFileURL(join(dirname(require.resolve("tsx/package.json")), "dist", "esm", "api", "index.mjs")).href;
  return `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
}

export async function startBlazefaceThread(options: { backend?: BackendPreference; modelPath?: string } = {}): Promise<BlazefaceThread> {
  const worker = new Worker(bootstrapCode(new URL("./blazeface-worker.ts", import.meta.url)), { eval: true });
  const pending = new Map<number, { resolve: (raw: Float32Array) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let crashed: Error | undefined;
  // An idle worker must not keep the process alive; a busy one must (its answer is awaited).
  const updateRef = () => (pending.size > 0 ? worker.ref() : worker.unref());

  await new Promise<void>((resolve, reject) => {
    const onFirst = (message: WorkerResponse) => {
      worker.off("error", onError);
      if (message.type === "ready") resolve();
      else reject(new AppError("INTERNAL", `face detector worker failed to start: ${message.type === "failed" ? message.message : message.type}`));
    };
    const onError = (error: Error) => reject(new AppError("INTERNAL", `face detector worker failed to start: ${error.message}`, { cause: error }));
    worker.once("message", onFirst);
    worker.once("error", onError);
    worker.postMessage({ type: "init", ...options } satisfies WorkerRequest);
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });

  worker.on("message", (message: WorkerResponse) => {
    if (message.type !== "result" && message.type !== "error") return;
    const request = pending.get(message.id);
    if (!request) return;
    pending.delete(message.id);
    updateRef();
    if (message.type === "result") request.resolve(message.raw);
    else request.reject(new AppError("INTERNAL", `face detector worker: ${message.message}`));
  });
  worker.on("error", (error) => {
    crashed = error;
    for (const request of pending.values()) request.reject(new AppError("INTERNAL", `face detector worker crashed: ${error.message}`, { cause: error }));
    pending.clear();
  });
  updateRef();

  return {
    run(pixels) {
      if (crashed) return Promise.reject(new AppError("INTERNAL", `face detector worker crashed: ${crashed.message}`));
      const id = nextId++;
      return new Promise<Float32Array>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        updateRef();
        const copy = pixels.slice();
        worker.postMessage({ type: "run", id, pixels: copy } satisfies WorkerRequest, [copy.buffer]);
      });
    },
    async terminate() {
      for (const request of pending.values()) request.reject(new AppError("INTERNAL", "the face detector was disposed"));
      pending.clear();
      await worker.terminate();
    },
  };
}
