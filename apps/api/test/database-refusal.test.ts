/**
 * PostgreSQL refusing new connections (SQLSTATE 55000: ALTER DATABASE … ALLOW_CONNECTIONS false) is the database
 * being unavailable, not an internal error: 503 DATABASE_UNAVAILABLE, and /readyz says so without driver text.
 */
import { createTestDatabase, type TestDatabase } from "@moodlens/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedApiServer } from "../src/server";
import { createKey, firstErrorCode, gql, randomModelDir, startTestApi } from "./helpers";

describe("a PostgreSQL database that refuses connections", () => {
  let test: TestDatabase;
  let api: StartedApiServer;
  let key: string;
  let admin: pg.Client;
  let name: string;

  beforeAll(async () => {
    test = await createTestDatabase("postgres");
    api = await startTestApi(test.db, { modelDir: await randomModelDir() });
    key = (await createKey(test.db, ["read:stats"])).key;
    name = new URL(test.url!).pathname.slice(1);
    admin = new pg.Client({
      connectionString:
        process.env.MOODLENS_TEST_PG_URL?.trim() || "postgres://postgres@127.0.0.1:5432/postgres",
    });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`).catch(() => {});
    await admin?.end();
    await api?.close();
    await test?.drop();
  });

  it("answers 503 DATABASE_UNAVAILABLE and a readiness reason without driver text; recovers afterwards", async () => {
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [name]);

    const refused = await gql(api, "{ me { name } }", {}, key);
    expect(refused.status).toBe(503);
    expect(firstErrorCode(refused)).toBe("DATABASE_UNAVAILABLE");

    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { database: { reachable: boolean; error: string } };
    expect(body.database).toMatchObject({ reachable: false, error: "database unavailable" });
    expect(JSON.stringify(body)).not.toMatch(/prisma|invocation|\$queryRaw|accepting connections/i);

    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
    expect((await gql(api, "{ me { name } }", {}, key)).status).toBe(200);
    expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
  });
});
