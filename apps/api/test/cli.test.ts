import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createTestDatabase, type TestDatabase } from "@moodlens/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const API_DIR = fileURLToPath(new URL("..", import.meta.url));
const TSX = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));

describe("apikey and seed CLIs", () => {
  let test: TestDatabase;
  const cli = async (script: string, args: string[]) => {
    try {
      const { stdout, stderr } = await run(TSX, [script, ...args], { cwd: API_DIR, env: { ...process.env, DATABASE_URL: test.url!, MOODLENS_MODEL_DIR: "/nonexistent-model-dir" } });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };

  beforeAll(async () => {
    test = await createTestDatabase("postgres");
  });
  afterAll(async () => {
    await test?.drop();
  });

  it("creates a key (printed alone on the last line), lists and revokes it", async () => {
    const created = await cli("src/cli/apikey.ts", ["create", "--name", "ci", "--scopes", "analyze,read:stats"]);
    expect(created.code).toBe(0);
    const lines = created.stdout.trimEnd().split("\n");
    const key = lines.at(-1)!;
    expect(key).toMatch(/^ml_[a-z2-9]{8}_[A-Za-z0-9_-]{43}$/);
    const row = await test.db.prisma.apiKey.findFirstOrThrow({ where: { name: "ci" } });
    expect(row.scopes).toEqual(["analyze", "read:stats"]);
    expect(row.hash).not.toContain(key.split("_")[2]);

    const listed = await cli("src/cli/apikey.ts", ["list"]);
    expect(listed.stdout).toContain(row.prefix);
    expect(listed.stdout).not.toContain(key);

    const revoked = await cli("src/cli/apikey.ts", ["revoke", row.id]);
    expect(revoked.code).toBe(0);
    expect((await test.db.prisma.apiKey.findUniqueOrThrow({ where: { id: row.id } })).revokedAt).not.toBeNull();

    const bad = await cli("src/cli/apikey.ts", ["create", "--name", "x", "--scopes", "analyze,superuser"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/unknown scope\(s\): superuser/);
  });

  it("seeds demo data marked as demo, and reports a missing default model", async () => {
    const seeded = await cli("src/cli/seed.ts", ["--demo", "--days", "3", "--faces-per-day", "40"]);
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).toMatch(/no trained model/);
    expect(seeded.stdout).toMatch(/seeded \d+ demo analyses/);
    const { prisma } = test.db;
    expect(await prisma.analysis.count({ where: { isDemo: true } })).toBeGreaterThan(0);
    expect(await prisma.analysis.count({ where: { isDemo: false } })).toBe(0);
  });
});
