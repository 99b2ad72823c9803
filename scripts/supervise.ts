/**
 * Keeps a child process of `npm start` running: when it exits without being asked to, it is started again after a
 * backoff (1 s, doubling to 30 s; back to 1 s once a child has stayed up for a minute). One part crashing (the API
 * after a database outage, say) must not take the rest of the platform down with it.
 */
import type { ChildProcess } from "node:child_process";

export interface SuperviseOptions {
  /** First delay before a restart (ms). */
  initialDelayMs?: number;
  /** Largest delay between restarts (ms). */
  maxDelayMs?: number;
  /** A child that ran this long resets the delay (ms). */
  stableAfterMs?: number;
  log?: (line: string) => void;
  /** Called with each new process (the first one included), e.g. to wait until it answers. */
  onStart?: (child: ChildProcess) => void;
}

export interface Supervised {
  /** The process running now (or the last one, between a crash and its restart). */
  current(): ChildProcess;
  /** How many times the child was restarted. */
  restarts(): number;
  /** Stops restarting, sends SIGTERM and resolves once the child has exited. */
  stop(): Promise<void>;
}

export function supervise(
  name: string,
  start: () => ChildProcess,
  options: SuperviseOptions = {},
): Supervised {
  const initialDelayMs = options.initialDelayMs ?? 1_000;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const stableAfterMs = options.stableAfterMs ?? 60_000;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let delayMs = initialDelayMs;
  let stopping = false;
  let restartCount = 0;
  let timer: NodeJS.Timeout | undefined;
  let child: ChildProcess;

  const launch = () => {
    const startedAt = Date.now();
    child = start();
    options.onStart?.(child);
    child.once("exit", (code, signal) => {
      if (stopping) return;
      if (Date.now() - startedAt >= stableAfterMs) delayMs = initialDelayMs;
      log(
        `moodlens: ${name} stopped (${signal ?? `exit ${code}`}); restarting in ${(delayMs / 1000).toFixed(1)} s`,
      );
      timer = setTimeout(() => {
        timer = undefined;
        restartCount++;
        launch();
      }, delayMs);
      delayMs = Math.min(maxDelayMs, delayMs * 2);
    });
  };
  launch();

  return {
    current: () => child,
    restarts: () => restartCount,
    stop: async () => {
      stopping = true;
      if (timer) clearTimeout(timer);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
