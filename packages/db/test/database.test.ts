import { spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile, mkdir, cp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDb, databaseEngine, type Db } from "../src/client";
import { serveEmbeddedDatabase } from "../src/embedded-server";
import { toDatabaseError } from "../src/errors";
import { diffMigrationsToSchema, migrate } from "../src/migrations/migrate";
import { MIGRATIONS_DIR } from "../src/paths";
import { recordAnalysis } from "../src/analyses";
import { emotionStats } from "../src/stats";
import { createTestDatabase, describeEachDatabase, pgliteEmptySnapshot } from "../src/testing";
import { analysisInput, face } from "./helpers";

const tempDir = () => mkdtemp(path.join(os.tmpdir(), "moodlens-db-test-"));

describe("migrations", () => {
  it("match prisma/schema.prisma exactly (the engine's diff is empty)", async () => {
    expect(await diffMigrationsToSchema({ pgliteSnapshot: await pgliteEmptySnapshot() })).toBe("");
  });
});

describeEachDatabase("migrate", (database, kind) => {
  it("names the engine that stores the data, with its version", () => {
    const { db } = database();
    expect(databaseEngine(db)).toBe(kind);
    expect(db.server).toMatch(kind === "pglite" ? /\(PGlite / : /^PostgreSQL \d+/);
    if (kind === "postgres") expect(db.server).not.toMatch(/PGlite/);
  });

  it("records _prisma_migrations rows like prisma migrate deploy, and a second call is a no-op", async () => {
    const { db } = database();
    const rows = await db.prisma.$queryRaw<
      {
        migration_name: string;
        checksum: string;
        finished_at: Date | null;
        rolled_back_at: Date | null;
        applied_steps_count: number;
      }[]
    >`
      SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name`;
    const { createHash } = await import("node:crypto");
    const sql = await readFile(path.join(MIGRATIONS_DIR, "20261124060000_init", "migration.sql"), "utf8");
    expect(rows[0]).toMatchObject({
      migration_name: "20261124060000_init",
      checksum: createHash("sha256").update(sql).digest("hex"),
      rolled_back_at: null,
      applied_steps_count: 1,
    });
    expect(rows[0]!.finished_at).toBeInstanceOf(Date);
    expect(await migrate(db)).toEqual({ applied: [] });
  });

  it("applies a failing migration not at all (one transaction) and reports it", async () => {
    const { db } = database();
    const dir = await tempDir();
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    await mkdir(path.join(dir, "20991231000000_broken"));
    await writeFile(
      path.join(dir, "20991231000000_broken", "migration.sql"),
      `CREATE TABLE half_done (id int);\nSELECT no_such_function();\n`,
    );
    await expect(migrate(db, { migrationsDir: dir })).rejects.toMatchObject({ code: "INTERNAL" });
    const [table] = await db.prisma.$queryRaw<
      { exists: boolean }[]
    >`SELECT to_regclass('half_done') IS NOT NULL AS exists`;
    expect(table!.exists).toBe(false);
    const [row] = await db.prisma.$queryRaw<
      { finished_at: Date | null }[]
    >`SELECT finished_at FROM _prisma_migrations WHERE migration_name = '20991231000000_broken'`;
    expect(row?.finished_at).toBeNull();
  });
});

describe("createDb", () => {
  const opened: Db[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
  });

  it("rejects a malformed DATABASE_URL naming the variable", async () => {
    await expect(createDb({ url: "not a url", urlName: "DATABASE_URL" })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: expect.stringContaining("DATABASE_URL"),
    });
    await expect(createDb({ url: "mysql://x@localhost/db" })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
    });
  });

  it("explains an unreachable server and a missing database", async () => {
    await expect(createDb({ url: "postgres://postgres@127.0.0.1:1/x" })).rejects.toMatchObject({
      code: "DATABASE_UNAVAILABLE",
      message: expect.stringContaining("127.0.0.1:1"),
    });
    const admin = new URL(process.env.MOODLENS_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
    admin.pathname = "/moodlens_no_such_database";
    await expect(createDb({ url: admin.toString() })).rejects.toMatchObject({
      code: "DATABASE_UNAVAILABLE",
      message: expect.stringContaining("does not exist"),
    });
  });

  it("opens PGlite in a folder it creates, refuses a second opener, and reopens after close", async () => {
    const dataDir = path.join(await tempDir(), "nested", "pglite");
    const db = await createDb({ url: undefined, dataDir });
    opened.push(db);
    expect(db.kind).toBe("pglite");
    await migrate(db);
    await expect(createDb({ dataDir })).rejects.toMatchObject({
      code: "DATABASE_UNAVAILABLE",
      message: expect.stringContaining("another Moodlens process"),
    });

    // Another process: the lock file names a live pid that is not ours.
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    try {
      await db.close();
      await writeFile(path.join(dataDir, "moodlens.lock"), String(child.pid));
      await expect(createDb({ dataDir })).rejects.toMatchObject({
        message: expect.stringContaining("set MOODLENS_DATA_DIR"),
      });
    } finally {
      child.kill();
    }
    await new Promise((resolve) => child.once("exit", resolve));
    // Its owner is gone: the stale lock is taken over and the data is still there.
    const reopened = await createDb({ dataDir });
    opened.push(reopened);
    expect(await migrate(reopened)).toEqual({ applied: [] });
  });

  it("maps a closed client during a query to DATABASE_UNAVAILABLE, and leaves other errors alone", async () => {
    const { db, drop } = await createTestDatabase("postgres");
    try {
      await db.close();
      const error = await db.prisma.analysis.count().catch((e: unknown) => e);
      expect(toDatabaseError(error)).toMatchObject({ code: "DATABASE_UNAVAILABLE" });
      const bug = new TypeError("x is undefined");
      expect(toDatabaseError(bug)).toBe(bug);
    } finally {
      await drop();
    }
  });
});

describe("serveEmbeddedDatabase (pglite-socket)", () => {
  it("is found by createDb() in another process that opens the same folder (no DATABASE_URL needed)", async () => {
    const dataDir = path.join(await tempDir(), "pglite");
    const server = await serveEmbeddedDatabase({ dataDir, pgliteSnapshot: await pgliteEmptySnapshot() });
    try {
      // Async on purpose: the server runs in this process and must keep answering while the child queries it.
      const { execFile } = await import("node:child_process");
      const { promisify } = await import("node:util");
      const script = `import { createDb } from ${JSON.stringify(path.resolve(__dirname, "../src/index.ts"))};
        const db = await createDb({ dataDir: ${JSON.stringify(dataDir)} });
        const count = await db.prisma.analysis.count();
        console.log(JSON.stringify({ kind: db.kind, count }));
        await db.close();`;
      const env = { ...process.env };
      delete env.DATABASE_URL;
      const { stdout: output } = await promisify(execFile)(
        process.execPath,
        ["--import", "tsx", "--input-type=module", "-e", script],
        { env, encoding: "utf8" },
      );
      expect(JSON.parse(output.trim().split("\n").pop()!)).toEqual({ kind: "postgres", count: 0 });
    } finally {
      await server.close();
    }
    // Once the server is gone its advertisement is too: the folder opens directly again.
    const db = await createDb({ dataDir });
    expect(db.kind).toBe("pglite");
    await db.close();
  });

  it("serves one PGlite folder to several clients over a postgres URL", async () => {
    const server = await serveEmbeddedDatabase({
      dataDir: path.join(await tempDir(), "pglite"),
      pgliteSnapshot: await pgliteEmptySnapshot(),
    });
    const clients: Db[] = [];
    try {
      expect(server.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
      for (let i = 0; i < 2; i++) clients.push(await createDb({ url: server.url, poolSize: 2 }));
      // Reached over a postgres URL, yet what stores the data is PGlite: logs and /readyz must say so.
      expect(clients[0]!.kind).toBe("postgres");
      expect(clients[0]!.server).toMatch(/^PostgreSQL \d+\.\d+ \(PGlite [\d.]+\)$/);
      expect(databaseEngine(clients[0]!)).toBe("pglite");
      expect(await migrate(clients[0]!)).toEqual({ applied: [] });
      // Interleaved transactional writes from two "processes" stay consistent.
      await Promise.all(
        clients.flatMap((db, c) =>
          Array.from({ length: 6 }, (_, i) =>
            recordAnalysis(
              db.prisma,
              analysisInput({
                clientRequestId: `c${c}-${i % 3}`,
                faces: [face("happy"), face("sad", 1)],
                capturedAt: new Date("2026-06-01T10:00:00Z"),
              }),
            ),
          ),
        ),
      );
      const stats = await emotionStats(
        clients[1]!.prisma,
        { from: new Date("2026-06-01T00:00:00Z"), to: new Date("2026-06-02T00:00:00Z") },
        "DAY",
      );
      expect(stats.totalFaces).toBe(2 * 3 * 2);
      expect(await clients[0]!.prisma.analysis.count()).toBe(6);
      // The server goes away mid-session: queries fail as DATABASE_UNAVAILABLE.
      await server.close();
      const error = await clients[0]!.prisma.analysis.count().catch((e: unknown) => e);
      expect(toDatabaseError(error)).toMatchObject({ code: "DATABASE_UNAVAILABLE" });
    } finally {
      await Promise.all(clients.map((db) => db.close()));
      await server.close();
    }
  });
});
