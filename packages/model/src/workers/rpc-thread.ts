/**
 * A worker thread answering requests one message at a time, shared by the detector's workers. Protocol:
 *   in:  { type: "init", init }          out: { type: "ready" } | { type: "failed", message }
 *   in:  { type: "call", id, request }   out: { type: "result", id, result } | { type: "error", id, message }
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { parentPort, Worker } from "node:worker_threads";
import { AppError } from "@moodlens/shared";

export interface RpcThread<Request, Result> {
  /** `transfer`: buffers of `request` moved to the worker instead of copied (unusable here afterwards). */
  call(request: Request, transfer?: ArrayBuffer[]): Promise<Result>;
  terminate(): Promise<void>;
}

type Incoming<Init, Request> = { type: "init"; init: Init } | { type: "call"; id: number; request: Request };
type Outgoing<Result> =
  | { type: "ready" }
  | { type: "failed"; message: string }
  | { type: "result"; id: number; result: Result }
  | { type: "error"; id: number; message: string };

const require = createRequire(import.meta.url);
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Workers are TypeScript like the rest of the package (no build step). On Node 20 `execArgv: ["--import", "tsx"]`
 * does not reach a worker's entry module (ERR_UNKNOWN_FILE_EXTENSION, measured), so a tiny bootstrap registers
 * tsx's ESM hooks inside the worker and then imports the .ts entry. Paths are absolute: no dependence on cwd.
 */
function bootstrapCode(entry: URL): string {
  const tsxApi = pathToFileURL(
    join(dirname(require.resolve("tsx/package.json")), "dist", "esm", "api", "index.mjs"),
  ).href;
  return `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
}

/** Starts `entry` (a module calling `serveRpc`) and resolves once its `init` succeeded; `label` names it in errors. */
export async function startRpcThread<Init, Request, Result>(
  entry: URL,
  init: Init,
  label: string,
): Promise<RpcThread<Request, Result>> {
  const worker = new Worker(bootstrapCode(entry), { eval: true });
  const pending = new Map<number, { resolve: (result: Result) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let crashed: Error | undefined;
  // An idle worker must not keep the process alive; a busy one must (its answer is awaited).
  const updateRef = () => (pending.size > 0 ? worker.ref() : worker.unref());

  await new Promise<void>((resolve, reject) => {
    const onFirst = (message: Outgoing<Result>) => {
      worker.off("error", onError);
      if (message.type === "ready") resolve();
      else
        reject(
          new AppError(
            "INTERNAL",
            `${label} failed to start: ${message.type === "failed" ? message.message : message.type}`,
          ),
        );
    };
    const onError = (error: Error) =>
      reject(new AppError("INTERNAL", `${label} failed to start: ${error.message}`, { cause: error }));
    worker.once("message", onFirst);
    worker.once("error", onError);
    worker.postMessage({ type: "init", init } satisfies Incoming<Init, Request>);
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });

  worker.on("message", (message: Outgoing<Result>) => {
    if (message.type !== "result" && message.type !== "error") return;
    const request = pending.get(message.id);
    if (!request) return;
    pending.delete(message.id);
    updateRef();
    if (message.type === "result") request.resolve(message.result);
    else request.reject(new AppError("INTERNAL", `${label}: ${message.message}`));
  });
  worker.on("error", (error) => {
    crashed = error;
    for (const request of pending.values())
      request.reject(new AppError("INTERNAL", `${label} crashed: ${error.message}`, { cause: error }));
    pending.clear();
  });
  updateRef();

  return {
    call(request, transfer = []) {
      if (crashed) return Promise.reject(new AppError("INTERNAL", `${label} crashed: ${crashed.message}`));
      const id = nextId++;
      return new Promise<Result>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        updateRef();
        worker.postMessage({ type: "call", id, request } satisfies Incoming<Init, Request>, transfer);
      });
    },
    async terminate() {
      for (const request of pending.values())
        request.reject(new AppError("INTERNAL", `${label} was disposed`));
      pending.clear();
      await worker.terminate();
    },
  };
}

/**
 * The worker side: `setup(init)` prepares the state once and returns the handler of each request, which returns
 * the result and the buffers to move (not copy) back to the caller.
 */
export function serveRpc<Init, Request, Result>(
  setup: (init: Init) => Promise<(request: Request) => Promise<{ result: Result; transfer?: ArrayBuffer[] }>>,
): void {
  const port = parentPort;
  if (!port) throw new Error("serveRpc must run in a worker thread");
  let handle: ((request: Request) => Promise<{ result: Result; transfer?: ArrayBuffer[] }>) | undefined;
  const post = (message: Outgoing<Result>, transfer: ArrayBuffer[] = []) =>
    port.postMessage(message, transfer);
  port.on("message", async (message: Incoming<Init, Request>) => {
    if (message.type === "init") {
      try {
        handle = await setup(message.init);
        post({ type: "ready" });
      } catch (error) {
        post({ type: "failed", message: messageOf(error) });
      }
      return;
    }
    try {
      if (!handle) throw new Error("worker not initialised");
      const { result, transfer } = await handle(message.request);
      post({ type: "result", id: message.id, result }, transfer);
    } catch (error) {
      post({ type: "error", id: message.id, message: messageOf(error) });
    }
  });
}
