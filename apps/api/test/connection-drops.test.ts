/**
 * The database's connections keep dropping while analyses run: the API process must stay up, and every request
 * either succeeds or answers DATABASE_UNAVAILABLE. The API runs as its own process, as `npm start` runs it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveEmbeddedDatabase, type EmbeddedDatabaseServer } from "@moodlens/db";
import { createTestDatabase, pgliteEmptySnapshot, type TestDatabase } from "@moodlens/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChildApi, type ChildApi } from "./child-api";
import { createKey, firstErrorCode, gql, groupPhoto, randomModelDir, toBase64 } from "./helpers";

const ANALYZE = "mutation($input: AnalyzeImageInput!) { analyzeImage(input: $input) { id faceCount } }";
const CLIENTS = 8;

interface Outcome {
  ok: number;
  unavailable: number;
  other: string[];
}

/** `CLIENTS` callers analysing a photo in a loop until `until` resolves; tallies what came back. */
async function analyseUntil(api: ChildApi, key: string, until: Promise<void>): Promise<Outcome> {
  const outcome: Outcome = { ok: 0, unavailable: 0, other: [] };
  let done = false;
  void until.then(() => (done = true));
  const image = toBase64(groupPhoto());
  const client = async () => {
    while (!done) {
      try {
        const response = await gql(api, ANALYZE, { input: { image, store: true } }, key);
        if (!response.errors) outcome.ok++;
        else if (firstErrorCode(response) === "DATABASE_UNAVAILABLE" && [200, 503].includes(response.status))
          outcome.unavailable++;
        else outcome.other.push(`${response.status} ${JSON.stringify(response.errors)}`);
      } catch (error) {
        outcome.other.push(`request failed: ${(error as Error).message} ${String((error as Error).cause)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return outcome;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("PostgreSQL ending the API's connections every 200 ms", () => {
  let test: TestDatabase;
  let api: ChildApi | undefined;
  let key: string;

  beforeAll(async () => {
    test = await createTestDatabase("postgres");
    key = (await createKey(test.db, ["analyze", "read:stats"])).key;
    api = await startChildApi({ DATABASE_URL: test.url!, MOODLENS_MODEL_DIR: await randomModelDir() });
  });
  afterAll(async () => {
    await api?.stop();
    await test?.drop();
  });

  it("keeps the process up; each request succeeds or answers DATABASE_UNAVAILABLE", async () => {
    const database = new URL(test.url!).pathname.slice(1);
    const admin = new pg.Client({
      connectionString:
        process.env.MOODLENS_TEST_PG_URL?.trim() || "postgres://postgres@127.0.0.1:5432/postgres",
    });
    admin.on("error", () => {});
    await admin.connect();
    let terminated = 0;
    let stopKilling: () => void = () => {};
    const killingDone = new Promise<void>((resolve) => (stopKilling = resolve));
    const killer = (async () => {
      const started = Date.now();
      while (Date.now() - started < 15_000 && !api!.exited()) {
        const { rows } = await admin.query<{ killed: boolean }>(
          "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
          [database],
        );
        terminated += rows.length;
        await sleep(200);
      }
      stopKilling();
    })();
    try {
      const outcome = await analyseUntil(api!, key, killingDone);
      await killer;
      expect(api!.exited(), `the API died:\n${api!.stderr().slice(-3000)}`).toBeNull();
      expect(outcome.other).toEqual([]);
      expect(terminated).toBeGreaterThan(10);
      expect(outcome.ok + outcome.unavailable).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    // Connections are back: the next request is stored.
    const after = await gql<{ analyzeImage: { id: string } }>(
      api!,
      ANALYZE,
      { input: { image: toBase64(groupPhoto()) } },
      key,
    );
    expect(after.errors).toBeUndefined();
  });
});

describe("the embedded database server restarting under the API", () => {
  let dataDir: string;
  let server: EmbeddedDatabaseServer | undefined;
  let api: ChildApi | undefined;
  let key: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "moodlens-api-restart-"));
    server = await serveEmbeddedDatabase({
      dataDir: join(dataDir, "pglite"),
      pgliteSnapshot: await pgliteEmptySnapshot(),
    });
    const { createDb } = await import("@moodlens/db");
    const db = await createDb({ url: server.url, poolSize: 1 });
    key = (await createKey(db, ["analyze", "read:stats"])).key;
    await db.close();
    api = await startChildApi({ DATABASE_URL: server.url, MOODLENS_MODEL_DIR: await randomModelDir() });
  });
  afterAll(async () => {
    await api?.stop();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps the process up while the server is closed and reopened; serves again afterwards", async () => {
    const port = server!.port;
    let stopLoad: () => void = () => {};
    const loadDone = new Promise<void>((resolve) => (stopLoad = resolve));
    const load = analyseUntil(api!, key, loadDone);
    for (let round = 0; round < 3; round++) {
      await sleep(1_500);
      await server!.close();
      await sleep(500);
      server = await serveEmbeddedDatabase({ dataDir: join(dataDir, "pglite"), port, migrate: false });
    }
    await sleep(1_500);
    stopLoad();
    const outcome = await load;
    expect(api!.exited(), `the API died:\n${api!.stderr().slice(-3000)}`).toBeNull();
    expect(outcome.other, api!.stderr().slice(-3000)).toEqual([]);
    const after = await gql<{ analyzeImage: { id: string } }>(
      api!,
      ANALYZE,
      { input: { image: toBase64(groupPhoto()) } },
      key,
    );
    expect(after.errors).toBeUndefined();
  });
});
