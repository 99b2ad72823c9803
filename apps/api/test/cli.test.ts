import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createApiKey, createDb, serveEmbeddedDatabase } from "@moodlens/db";
import { createTestDatabase, pgliteEmptySnapshot, type TestDatabase } from "@moodlens/db/testing";
import { AppError } from "@moodlens/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apikeyCommand } from "../src/cli/apikey-command";
import { seedCommand } from "../src/cli/seed-command";

const run = promisify(execFile);
const API_DIR = fileURLToPath(new URL("..", import.meta.url));
const TSX = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));

describe("apikey and seed CLIs", () => {
  let test: TestDatabase;
  const env = () => ({
    ...process.env,
    DATABASE_URL: test.url!,
    MOODLENS_MODEL_DIR: "/nonexistent-model-dir",
  });
  /** Runs a command in-process, collecting its output lines (the entry scripts only add runCli around it). */
  const inProcess = async (command: typeof apikeyCommand, args: string[]) => {
    const lines: string[] = [];
    await command(args, { out: (line) => lines.push(line), env: env() });
    return lines;
  };

  beforeAll(async () => {
    test = await createTestDatabase("postgres");
  });
  afterAll(async () => {
    await test?.drop();
  });

  it("npm run apikey -- create prints the new key alone on its last line (real process)", async () => {
    const { stdout } = await run(
      TSX,
      ["src/cli/apikey.ts", "create", "--name", "ci", "--scopes", "analyze,read:stats"],
      { cwd: API_DIR, env: env() },
    );
    const key = stdout.trimEnd().split("\n").at(-1)!;
    expect(key).toMatch(/^ml_[a-z2-9]{8}_[A-Za-z0-9_-]{43}$/);
    const row = await test.db.prisma.apiKey.findFirstOrThrow({ where: { name: "ci" } });
    expect(row.scopes).toEqual(["analyze", "read:stats"]);
    // The secret is everything after the id: it may itself hold "_" (base64url), so no split("_").
    const secret = /^ml_[a-z2-9]{8}_(.+)$/.exec(key)![1]!;
    expect(row.hash).not.toContain(secret);
  });

  it("rejects unknown scopes as BAD_USER_INPUT (runCli turns it into one line and exit code 2)", async () => {
    await expect(
      inProcess(apikeyCommand, ["create", "--name", "x", "--scopes", "analyze,superuser"]),
    ).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
      message: expect.stringMatching(/unknown scope\(s\): superuser/),
    });
  });

  it("lists keys without secrets and revokes by id", async () => {
    const created = await inProcess(apikeyCommand, [
      "create",
      "--name",
      "listed",
      "--scopes",
      "read:stats",
      "--rate-limit",
      "30",
    ]);
    const key = created.at(-1)!;
    const row = await test.db.prisma.apiKey.findFirstOrThrow({ where: { name: "listed" } });
    expect(row.rateLimitPerMinute).toBe(30);
    const listed = (await inProcess(apikeyCommand, ["list"])).join("\n");
    expect(listed).toContain(row.prefix);
    expect(listed).not.toContain(key);
    await inProcess(apikeyCommand, ["revoke", row.id]);
    expect(
      (await test.db.prisma.apiKey.findUniqueOrThrow({ where: { id: row.id } })).revokedAt,
    ).not.toBeNull();
    expect((await inProcess(apikeyCommand, ["list"])).join("\n")).not.toContain(row.prefix);
    expect((await inProcess(apikeyCommand, ["list", "--all"])).join("\n")).toMatch(
      new RegExp(`${row.prefix}.*revoked`),
    );
    await expect(inProcess(apikeyCommand, ["revoke", "no-such-key"])).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(inProcess(apikeyCommand, ["create", "--scopes", "analyze"])).rejects.toBeInstanceOf(
      AppError,
    );
  });

  it("seeds demo data marked as demo, and reports a missing default model", async () => {
    const lines = (await inProcess(seedCommand, ["--demo", "--days", "3", "--faces-per-day", "40"])).join(
      "\n",
    );
    expect(lines).toMatch(/no trained model/);
    expect(lines).toMatch(/seeded \d+ demo analyses/);
    const { prisma } = test.db;
    expect(await prisma.analysis.count({ where: { isDemo: true } })).toBeGreaterThan(0);
    expect(await prisma.analysis.count({ where: { isDemo: false } })).toBe(0);
    expect(
      (await inProcess(seedCommand, ["--demo", "--days", "3", "--faces-per-day", "40"])).join("\n"),
    ).toMatch(/already loaded/);
    await expect(inProcess(seedCommand, [])).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
  });
});

describe("apikey CLI beside npm start's embedded database", () => {
  it("with MOODLENS_DATA_DIR and no DATABASE_URL, uses the server of <MOODLENS_DATA_DIR>/pglite (real process)", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "moodlens-api-cli-"));
    // Served from this process the way npm start serves it; it keeps answering while the CLI's process queries it.
    const server = await serveEmbeddedDatabase({
      dataDir: join(dataDir, "pglite"),
      pgliteSnapshot: await pgliteEmptySnapshot(),
    });
    try {
      const db = await createDb({ url: server.url, poolSize: 1 });
      const created = await createApiKey(db.prisma, { name: "served", scopes: ["read:stats"] }).finally(() =>
        db.close(),
      );
      const env: NodeJS.ProcessEnv = { ...process.env, MOODLENS_DATA_DIR: dataDir };
      delete env.DATABASE_URL;
      const { stdout } = await run(TSX, ["src/cli/apikey.ts", "list"], { cwd: API_DIR, env });
      expect(stdout).toContain(created.record.prefix);
      // Nothing opened the data folder itself as a database.
      expect(existsSync(join(dataDir, "PG_VERSION"))).toBe(false);
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
