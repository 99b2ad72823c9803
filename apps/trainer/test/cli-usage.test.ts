import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@moodlens/db/testing";
import { runCli, tempDirectory } from "./helpers";

/** What a newcomer meets first: a mistyped option, an empty run list. Both must say what to do next. */
const work = tempDirectory("cli-usage");
let database: TestDatabase;
let env: Record<string, string>;

beforeAll(async () => {
  database = await createTestDatabase("postgres");
  env = {
    DATABASE_URL: database.url!,
    MOODLENS_CACHE_DIR: join(work.path, "cache"),
    MOODLENS_RUNS_DIR: join(work.path, "runs"),
  };
});
afterAll(async () => {
  await database?.drop();
  work.remove();
});

describe("trainer CLI usage", () => {
  it("an unknown option is a usage error (exit 2) that shows the command's usage in the npm form", async () => {
    const result = await runCli(["evaluate", "--dta", "x"], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown option '--dta'/);
    expect(result.stderr).toContain("usage: npm run trainer -- evaluate --data DIR|CSV");
    expect(result.stderr).toContain("npm run trainer -- help");
  });

  it("an empty run list says how to start a run", async () => {
    const result = await runCli(["runs", "list"], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^no runs in the database yet/);
    expect(result.stdout).toContain("npm run trainer -- train --data ../shared/datasets/fer2013/train");
  });

  it("names the npm form in hints", async () => {
    const result = await runCli(["models", "promote", "no-such-version"], env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("npm run trainer -- models list");
  });
});
