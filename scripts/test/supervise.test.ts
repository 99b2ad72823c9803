// The launcher's supervisor on real processes: a child that is killed comes back (with backoff), stop() ends it.
import { spawn } from "node:child_process";
import { expect, it } from "vitest";
import { supervise } from "../supervise";

/** A tiny HTTP server child that prints its port, like the platform's API prints its URL. */
const SERVER = `require("node:http").createServer((q, s) => s.end(String(process.pid))).listen(0, "127.0.0.1", function () { console.log(this.address().port); });`;

function portOf(child: ReturnType<typeof spawn>): Promise<number> {
  return new Promise((resolve) =>
    child.stdout!.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
  );
}

it("restarts a child that was killed, with a growing delay, and stops it on request", async () => {
  const lines: string[] = [];
  const ports: Promise<number>[] = [];
  const supervised = supervise(
    "test server",
    () => spawn(process.execPath, ["-e", SERVER], { stdio: ["ignore", "pipe", "inherit"] }),
    {
      initialDelayMs: 100,
      log: (line) => lines.push(line),
      onStart: (child) => ports.push(portOf(child)),
    },
  );
  try {
    const first = supervised.current();
    const firstPid = await (await fetch(`http://127.0.0.1:${await ports[0]}/`)).text();
    expect(Number(firstPid)).toBe(first.pid);

    first.kill("SIGKILL");
    await new Promise((resolve) => first.once("exit", resolve));
    await expect.poll(() => ports.length, { timeout: 10_000 }).toBe(2);
    const secondPid = await (await fetch(`http://127.0.0.1:${await ports[1]}/`)).text();
    expect(Number(secondPid)).not.toBe(first.pid);
    expect(Number(secondPid)).toBe(supervised.current().pid);

    supervised.current().kill("SIGKILL");
    await expect.poll(() => ports.length, { timeout: 10_000 }).toBe(3);
    expect(supervised.restarts()).toBe(2);
    expect(lines).toEqual([
      "moodlens: test server stopped (SIGKILL); restarting in 0.1 s",
      "moodlens: test server stopped (SIGKILL); restarting in 0.2 s",
    ]);
  } finally {
    await supervised.stop();
  }
  const last = supervised.current();
  expect(last.signalCode ?? last.exitCode).not.toBeNull();
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(ports.length).toBe(3); // stopped: no restart after stop()
});
