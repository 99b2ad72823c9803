import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { REPO_ROOT } from "./paths";

/** Offline-friendly settings for every tool we spawn (see ../shared/docs/offline-stack.md). */
export const TOOL_ENV = {
  TURBO_TELEMETRY_DISABLED: "1",
  NEXT_TELEMETRY_DISABLED: "1",
  CHECKPOINT_DISABLE: "1",
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  DO_NOT_TRACK: "1",
  NO_COLOR: "1",
  FORCE_COLOR: "0",
};

/** Process groups started here and not yet known to be gone: killed by killAllNow() (teardown, Ctrl+C). */
const liveGroups = new Set<number>();

/** SIGKILL every process group this module started that may still run (synchronous: usable in signal handlers). */
export function killAllNow(): void {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  liveGroups.clear();
}

/** `count` distinct free TCP ports (all held open at once while choosing, so they differ). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once("error", reject);
          server.listen(0, "0.0.0.0", () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/**
 * A long-running process in its own process group (detached), so stopping it reaches every descendant
 * (npm → node launcher → API, Next.js). Its output is kept in memory (last lines, for error messages) and appended
 * to a log file; the pipes are drained for the whole run, so a chatty child never blocks on a full pipe.
 */
export class GroupProcess {
  readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private readonly listeners = new Set<(line: string) => void>();
  private readonly log: WriteStream | undefined;
  private partial = "";
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    options: { cwd?: string; env: NodeJS.ProcessEnv; logFile?: string },
  ) {
    this.log = options.logFile ? createWriteStream(options.logFile, { flags: "a" }) : undefined;
    this.child = spawn(command, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (this.child.pid !== undefined) liveGroups.add(this.child.pid);
    const onData = (chunk: Buffer) => {
      this.log?.write(chunk);
      const text = this.partial + chunk.toString("utf8");
      const parts = text.split("\n");
      this.partial = parts.pop() ?? "";
      for (const line of parts) this.push(line);
    };
    this.child.stdout!.on("data", onData);
    this.child.stderr!.on("data", onData);
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        if (this.partial) this.push(this.partial);
        this.log?.write(`\n[e2e] ${name} exited (code ${code}, signal ${signal})\n`);
        resolve(code ?? (signal ? 128 : null));
      });
      this.child.once("error", (error) => {
        this.push(`[e2e] could not start ${name}: ${error.message}`);
        resolve(127);
      });
    });
  }

  private push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > 400) this.lines.shift();
    for (const listener of this.listeners) listener(line);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last `count` lines of output, for failure messages. */
  tail(count = 60): string {
    return this.lines.slice(-count).join("\n");
  }

  /** Resolves when a line matches; rejects when the process exits first or the time is up. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string> {
    const seen = this.lines.find((line) => pattern.test(line));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const done = (error: Error | null, line?: string) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        if (error) reject(error);
        else resolve(line!);
      };
      const listener = (line: string) => {
        if (pattern.test(line)) done(null, line);
      };
      const timer = setTimeout(
        () =>
          done(
            new Error(
              `${this.name}: no line matching ${pattern} within ${timeoutMs / 1000}s. Last output:\n${this.tail()}`,
            ),
          ),
        timeoutMs,
      );
      this.listeners.add(listener);
      void this.exited.then((code) => {
        if (this.listeners.has(listener))
          done(
            new Error(
              `${this.name} exited (code ${code}) before printing ${pattern}. Last output:\n${this.tail()}`,
            ),
          );
      });
    });
  }

  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves when the group leader has exited. */
  async stop(graceMs = 20_000): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined) return;
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-pid, signal);
      } catch {
        // the group is gone already
      }
    };
    if (this.running) signalGroup("SIGTERM");
    const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), graceMs).unref());
    if ((await Promise.race([this.exited, timer])) === "timeout") signalGroup("SIGKILL");
    await this.exited;
    // Descendants that ignored TERM (or outlived the leader) go too: the group must be empty when we return.
    await new Promise((resolve) => setTimeout(resolve, 300));
    signalGroup("SIGKILL");
    liveGroups.delete(pid);
    this.log?.end();
  }
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a short command to completion (own process group, killed on timeout) and returns its output. */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd?: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (child.pid !== undefined) liveGroups.add(child.pid);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
      reject(
        new Error(
          `${command} ${args.join(" ")} did not finish within ${options.timeoutMs / 1000}s.\n${stdout}\n${stderr}`,
        ),
      );
    }, options.timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      if (child.pid !== undefined) liveGroups.delete(child.pid);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Like runCommand, but a non-zero exit is an error carrying the command's output. */
export async function mustRun(
  command: string,
  args: string[],
  options: { cwd?: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<CommandResult> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `\`${command} ${args.join(" ")}\` failed (exit ${result.code}):\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`,
    );
  }
  return result;
}

export async function waitForHttp(
  url: string,
  timeoutMs: number,
  isUp: (status: number) => boolean = (status) => status < 500,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
      if (isUp(response.status)) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000}s (${last})`);
}
