/**
 * The API as its own process (`tsx src/main.ts`, as `npm start` runs it): tests that must see the process
 * survive (or die) cannot run the server inside the test worker, where an uncaught error would end the worker.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const API_DIR = fileURLToPath(new URL("..", import.meta.url));
const TSX = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));

export interface ChildApi {
  url: string;
  graphqlUrl: string;
  process: ChildProcess;
  /** Everything the process wrote to stderr so far (for failure messages). */
  stderr(): string;
  /** Null while running; the exit code or signal once it has ended. */
  exited(): { code: number | null; signal: NodeJS.Signals | null } | null;
  stop(): Promise<void>;
}

/** Starts `src/main.ts` with `env` on an ephemeral port of 127.0.0.1 and resolves once it says it is ready. */
export async function startChildApi(env: Record<string, string>, readyTimeoutMs = 90_000): Promise<ChildApi> {
  const child = spawn(TSX, ["src/main.ts"], {
    cwd: API_DIR,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", MOODLENS_MODEL_POLL_MS: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const ended = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      resolve();
    }),
  );
  const graphqlUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the API did not start within ${readyTimeoutMs} ms:\n${stderr}`)),
      readyTimeoutMs,
    );
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /Moodlens API ready at (\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void ended.then(() => {
      clearTimeout(timer);
      reject(new Error(`the API exited before it was ready (${JSON.stringify(exit)}):\n${stderr}`));
    });
  });
  return {
    url: graphqlUrl.replace(/\/graphql$/, ""),
    graphqlUrl,
    process: child,
    stderr: () => stderr,
    exited: () => exit,
    stop: async () => {
      if (exit) return;
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await ended;
      clearTimeout(killer);
    },
  };
}
