import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../src/testing";

const run = promisify(execFile);
const FIXTURE = fileURLToPath(new URL("./fixtures/migrate-then-list-resources.ts", import.meta.url));

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase("postgres");
});
afterAll(async () => {
  await test?.drop();
});

/**
 * `npm run seed` / `npm run apikey` printed their result, then sat ~10 s before exiting: the schema engine's own
 * 10 s timer, started during `migrate`, outlived the engine. A process that migrates and closes must hold no timer.
 */
it("migrate leaves no timer behind: after close, nothing keeps the process alive", async () => {
  const { stdout } = await run(process.execPath, ["--import", "tsx", FIXTURE, test.url!], {
    timeout: 120_000,
  });
  const pending = JSON.parse(stdout.trim().split("\n").at(-1)!) as string[];
  expect(pending).not.toContain("Timeout");
});
