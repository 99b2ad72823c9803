import { fork } from "node:child_process";
import { join } from "node:path";
import { BENCH_DIR } from "./paths";

/**
 * Every measured system runs in its own Node process: a fresh process is what "cold" means, peak RSS is then the
 * system's own, and the three libraries cannot share (or fight over) one tfjs engine and its wasm instance.
 * A probe is a file in src/probes/ that calls `runAsProbe`.
 */

export interface ProbeOutcome<T> {
  value: T;
  /** Peak resident set size of the probe process (getrusage maxrss), bytes. */
  peakRssBytes: number;
  wallMs: number;
}

interface ProbeMessage {
  type: "result" | "error";
  value?: unknown;
  message?: string;
  peakRssBytes?: number;
}

export function runProbe<T>(
  probe: string,
  input: unknown,
  options: { timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<ProbeOutcome<T>> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = fork(join(BENCH_DIR, "src", "probes", `${probe}.ts`), [JSON.stringify(input)], {
      cwd: BENCH_DIR,
      execArgv: ["--import", "tsx"],
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish(() => reject(new Error(`probe ${probe} timed out after ${options.timeoutMs} ms`)));
    }, options.timeoutMs);
    child.on("message", (raw) => {
      const message = raw as ProbeMessage;
      if (message.type === "result") {
        finish(() =>
          resolve({
            value: message.value as T,
            peakRssBytes: message.peakRssBytes ?? 0,
            wallMs: Date.now() - started,
          }),
        );
      } else {
        finish(() => reject(new Error(`probe ${probe}: ${message.message}`)));
      }
    });
    child.on("exit", (code, signal) => {
      finish(() => reject(new Error(`probe ${probe} exited (${signal ?? code}) without a result`)));
    });
  });
}

/** Child side: parses the input, runs `main`, sends the result (or the error) to the parent, exits. */
export function runAsProbe<I, O>(main: (input: I) => Promise<O>): void {
  const input = JSON.parse(process.argv[2] ?? "{}") as I;
  main(input)
    .then((value) => {
      const peakRssBytes = process.resourceUsage().maxRSS * 1024;
      process.send?.({ type: "result", value, peakRssBytes } satisfies ProbeMessage, () => process.exit(0));
    })
    .catch((error: unknown) => {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.send?.({ type: "error", message } satisfies ProbeMessage, () => process.exit(1));
    });
}

/** Progress lines go to stderr so stdout stays clean for the final summary. */
export const log = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};

/**
 * A long-lived probe that answers calls: lets the parent interleave repetitions of several systems (A B C A B C …),
 * so a burst of load from another job on this shared machine hits every system alike instead of one of them.
 */
export interface Session<Ready> {
  ready: Ready;
  call<T>(op: string, args?: unknown): Promise<T>;
  /** Asks the probe to exit; resolves with its peak RSS in bytes. */
  close(): Promise<number>;
}

interface SessionMessage {
  type: "ready" | "reply" | "fatal";
  id?: number;
  value?: unknown;
  error?: string;
}

export function startSession<Ready>(
  probe: string,
  input: unknown,
  options: { timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<Session<Ready>> {
  const child = fork(join(BENCH_DIR, "src", "probes", `${probe}.ts`), [JSON.stringify(input)], {
    cwd: BENCH_DIR,
    execArgv: ["--import", "tsx"],
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let exited: Error | undefined;
  // A time limit per step (startup, then each call), not per process: a loaded machine stretches the whole session.
  let stepTimer: NodeJS.Timeout | undefined;
  const armTimer = () => {
    clearTimeout(stepTimer);
    stepTimer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    stepTimer.unref();
  };
  armTimer();

  return new Promise((resolveSession, rejectSession) => {
    child.on("exit", (code, signal) => {
      clearTimeout(stepTimer);
      exited = new Error(
        `probe ${probe} exited (${signal ?? code}${signal === "SIGKILL" ? `: a step took over ${options.timeoutMs / 1000} s` : ""})`,
      );
      for (const { reject } of pending.values()) reject(exited);
      pending.clear();
      rejectSession(exited);
    });
    child.on("message", (raw) => {
      const message = raw as SessionMessage;
      if (message.type === "fatal") {
        rejectSession(new Error(`probe ${probe}: ${message.error}`));
        return;
      }
      clearTimeout(stepTimer);
      if (message.type === "ready") {
        const session: Session<Ready> = {
          ready: message.value as Ready,
          call<T>(op: string, args?: unknown) {
            if (exited) return Promise.reject(exited);
            const id = nextId++;
            return new Promise<T>((resolve, reject) => {
              pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
              armTimer();
              child.send({ id, op, args });
            });
          },
          async close() {
            return (await session.call<number>("exit").catch(() => 0)) ?? 0;
          },
        };
        resolveSession(session);
        return;
      }
      const waiter = pending.get(message.id ?? -1);
      if (!waiter) return;
      pending.delete(message.id!);
      if (message.error !== undefined) waiter.reject(new Error(`probe ${probe}: ${message.error}`));
      else waiter.resolve(message.value);
    });
  });
}

/** Child side of a session: `setup` runs once (its result is the ready value), then each call runs `handlers[op]`. */
export function serveSession<I, Ready>(
  setup: (input: I) => Promise<{ ready: Ready; handlers: Record<string, (args: never) => Promise<unknown>> }>,
): void {
  const input = JSON.parse(process.argv[2] ?? "{}") as I;
  const describe = (error: unknown) =>
    error instanceof Error ? (error.stack ?? error.message) : String(error);
  setup(input)
    .then(({ ready, handlers }) => {
      // Calls run one at a time, in order: a measurement never overlaps another in the same process.
      let queue = Promise.resolve();
      process.on("message", (raw) => {
        const { id, op, args } = raw as { id: number; op: string; args: never };
        queue = queue.then(async () => {
          if (op === "exit") {
            process.send?.({ type: "reply", id, value: process.resourceUsage().maxRSS * 1024 }, () =>
              process.exit(0),
            );
            return;
          }
          try {
            const handler = handlers[op];
            if (!handler) throw new Error(`unknown operation ${op}`);
            process.send?.({ type: "reply", id, value: await handler(args) });
          } catch (error) {
            process.send?.({ type: "reply", id, error: describe(error) });
          }
        });
      });
      process.send?.({ type: "ready", value: ready });
    })
    .catch((error: unknown) => {
      process.send?.({ type: "fatal", error: describe(error) }, () => process.exit(1));
    });
}
