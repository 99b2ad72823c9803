import { cpSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MIGRATIONS_DIR, createDb, migrate, type Db } from "@moodlens/db";
import { createTestDatabase, type TestDatabase } from "@moodlens/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig } from "../src/config";
import type { StartedApiServer } from "../src/server";
import type { AnalyzerLoader } from "../src/services/analyzer-port";
import { loadAnalyzer } from "../src/services/load-analyzer";
import {
  createKey,
  firstErrorCode,
  gql,
  groupPhoto,
  randomModelDir,
  startTestApi,
  toBase64,
} from "./helpers";

const ANALYZE = "mutation($input: AnalyzeImageInput!) { analyzeImage(input: $input) { id faceCount } }";

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("PostgreSQL going away in the middle of the analysis transaction", () => {
  let test: TestDatabase;
  let api: StartedApiServer;
  let key: string;

  beforeAll(async () => {
    test = await createTestDatabase("postgres");
    api = await startTestApi(test.db, { modelDir: await randomModelDir() });
    key = (await createKey(test.db, ["analyze", "read:stats"])).key;
  });
  afterAll(async () => {
    await api?.close();
    await test?.drop();
  });

  it("answers DATABASE_UNAVAILABLE, rolls the transaction back and keeps serving", async () => {
    const url = test.url!;
    // Hold the rollup table so the request's transaction stops after inserting the analysis and its faces.
    const holder = new pg.Client({ connectionString: url });
    const killer = new pg.Client({ connectionString: url });
    await holder.connect();
    await killer.connect();
    try {
      await holder.query("BEGIN; LOCK TABLE hourly_emotion_rollup IN ACCESS EXCLUSIVE MODE");
      const holderPid = (await holder.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
      const request = gql(
        api,
        ANALYZE,
        { input: { image: toBase64(groupPhoto()), clientRequestId: "outage-1" } },
        key,
      );

      await waitFor(async () => {
        const { rows } = await killer.query(
          "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> $1",
          [holderPid],
        );
        return rows.length > 0 ? true : undefined;
      }, "the analysis transaction to block on the rollup lock");
      // The database "goes away" for the API: every API connection is terminated mid-transaction.
      await killer.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), $1)",
        [holderPid],
      );

      const response = await request;
      expect(firstErrorCode(response)).toBe("DATABASE_UNAVAILABLE");
      expect(response.errors![0]!.message).toMatch(/database unavailable/i);
      expect(JSON.stringify(response.errors)).not.toMatch(/at .*\.ts:|stack/i);
    } finally {
      await holder.query("ROLLBACK").catch(() => {});
      await holder.end();
      await killer.end();
    }

    // Nothing half-written: no analysis, no faces, no rollup rows.
    const { prisma } = test.db;
    expect(await prisma.analysis.count()).toBe(0);
    expect(await prisma.face.count()).toBe(0);
    expect(await prisma.hourlyEmotionRollup.count()).toBe(0);

    // The server stayed up and the pool reconnects: the same request now succeeds, once.
    const health = await gql<{ health: { databaseReachable: boolean } }>(
      api,
      "{ health { databaseReachable } }",
    );
    expect(health.data?.health.databaseReachable).toBe(true);
    const retry = await gql<{ analyzeImage: { id: string; faceCount: number } }>(
      api,
      ANALYZE,
      { input: { image: toBase64(groupPhoto()), clientRequestId: "outage-1" } },
      key,
    );
    expect(retry.errors).toBeUndefined();
    expect(await prisma.analysis.count()).toBe(1);
    expect(await prisma.face.count()).toBe(retry.data!.analyzeImage.faceCount);
  });
});

/**
 * A migrated PGlite data directory to start from: creating one costs ~6-15 s of wasm initdb, copying ~0.2 s.
 * Built once per machine and migrations state (keyed by the migration folder names).
 */
async function migratedPgliteDir(): Promise<string> {
  const key = readdirSync(MIGRATIONS_DIR)
    .filter((name) => !name.includes("."))
    .sort()
    .join("+")
    .replace(/[^\w+]/g, "")
    .slice(-80);
  const template = join(tmpdir(), `moodlens-api-pglite-${key}`);
  if (!existsSync(template)) {
    const building = mkdtempSync(join(tmpdir(), "moodlens-api-pglite-build-"));
    const db = await createDb({ dataDir: building });
    await migrate(db);
    await db.close();
    try {
      renameSync(building, template);
    } catch {
      rmSync(building, { recursive: true, force: true }); // another run built it first
    }
  }
  const dataDir = mkdtempSync(join(tmpdir(), "moodlens-api-outage-"));
  cpSync(template, dataDir, { recursive: true });
  return dataDir;
}

describe("PGlite closing while a request is in flight", () => {
  let dataDir: string;
  let db: Db;
  let api: StartedApiServer;
  let key: string;
  let hold: Promise<void> = Promise.resolve();
  let analysed: () => void = () => {};

  beforeAll(async () => {
    dataDir = await migratedPgliteDir();
    db = await createDb({ dataDir });
    await migrate(db);
    key = (await createKey(db, ["analyze", "read:stats"])).key;
    const real = loadAnalyzer(defaultConfig());
    // The analyzer reports when it is done and waits for the test before the result is stored.
    const gated: AnalyzerLoader = async (dir, version) => {
      const analyzer = await real(dir, version);
      return {
        ...analyzer,
        analyze: async (bytes, options) => {
          const result = await analyzer.analyze(bytes, options);
          analysed();
          await hold;
          return result;
        },
      };
    };
    api = await startTestApi(db, { modelDir: await randomModelDir() }, { loadAnalyzer: gated });
  });
  afterAll(async () => {
    await api?.close();
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers DATABASE_UNAVAILABLE, writes nothing and keeps answering health checks", async () => {
    let release: () => void = () => {};
    hold = new Promise((resolve) => (release = resolve));
    const reachedAnalyzer = new Promise<void>((resolve) => (analysed = resolve));
    const request = gql(api, ANALYZE, { input: { image: toBase64(groupPhoto()) } }, key);
    await reachedAnalyzer;
    await db.close();
    release();

    const response = await request;
    expect(firstErrorCode(response)).toBe("DATABASE_UNAVAILABLE");

    const health = await gql<{ health: { status: string; databaseReachable: boolean } }>(
      api,
      "{ health { status databaseReachable } }",
    );
    expect(health.status).toBe(200);
    expect(health.data!.health).toEqual({ status: "degraded", databaseReachable: false });
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ready: false, database: { reachable: false } });

    // With the key check needing the database, keyed requests fail cleanly too (typed, not a crash).
    expect(firstErrorCode(await gql(api, "{ me { name } }", {}, key))).toBe("DATABASE_UNAVAILABLE");

    const reopened = await createDb({ dataDir });
    try {
      expect(await reopened.prisma.analysis.count()).toBe(0);
      expect(await reopened.prisma.face.count()).toBe(0);
    } finally {
      await reopened.close();
    }
  });
});
