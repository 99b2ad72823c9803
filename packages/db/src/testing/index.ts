/**
 * Test databases for every package's tests: a fresh, migrated database per suite, on a real PostgreSQL server
 * or on PGlite, and `describeEachDatabase` to run one suite on both.
 *
 * PGlite: creating a database takes ~4-6 s (initdb in wasm); loading a dump takes ~1 s. The first PGlite test
 * database of a machine is migrated once and dumped to the OS temp folder (keyed by the migrations' content),
 * and every later one starts from that dump.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { readFile, rename, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, beforeAll, describe } from "vitest";
import { createDb, type Db, type DatabaseKind } from "../client";
import { loadMigrations, migrate } from "../migrations/migrate";
import { createPgliteAdapterFactory } from "../adapters";
import { PrismaClient } from "../generated/prisma/client";

export const DEFAULT_TEST_PG_URL = "postgres://postgres@127.0.0.1:5432/postgres";
export const DATABASE_KINDS: readonly DatabaseKind[] = ["postgres", "pglite"];

export interface TestDatabase {
  db: Db;
  /** Connection URL of the test database (postgres only). */
  url?: string;
  /** Closes the database and deletes it (postgres: DROP DATABASE; pglite: nothing persists). */
  drop(): Promise<void>;
}

const adminUrl = (): string => process.env.MOODLENS_TEST_PG_URL?.trim() || DEFAULT_TEST_PG_URL;

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function createPostgresTestDatabase(): Promise<TestDatabase> {
  const name = `moodlens_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  let db: Db | undefined;
  const drop = async () => {
    await db?.close();
    await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  };
  try {
    db = await createDb({ url: url.toString(), poolSize: 4 });
    await migrate(db);
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
  return { db, url: url.toString(), drop };
}

let snapshotPromise: Promise<Blob> | undefined;
let emptySnapshotPromise: Promise<Blob> | undefined;

/** Reads a cached dump from the OS temp folder, or builds it and caches it (atomically: parallel workers). */
async function cachedDump(name: string, build: () => Promise<Blob>): Promise<Blob> {
  const file = path.join(os.tmpdir(), `moodlens-pglite-${name}-${await migrationsKey()}.tar`);
  if (existsSync(file)) return new Blob([await readFile(file)]);
  const dump = await build();
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, Buffer.from(await dump.arrayBuffer()));
  await rename(temporary, file);
  return dump;
}

/** A dump of a brand-new, empty PGlite database (no migrations): skips initdb in tests that need an empty one. */
export function pgliteEmptySnapshot(): Promise<Blob> {
  emptySnapshotPromise ??= cachedDump("empty", async () => {
    const pglite = await PGlite.create("memory://");
    const dump = await pglite.dumpDataDir("none");
    await pglite.close();
    return dump;
  });
  return emptySnapshotPromise;
}

async function migrationsKey(): Promise<string> {
  const list = await loadMigrations();
  const hash = createHash("sha256");
  for (const dir of list.migrationDirectories) {
    hash.update(dir.path);
    const content = dir.migrationFile.content as { tag: string; value: string };
    hash.update(content.value);
  }
  hash.update(pgliteVersion());
  return hash.digest("hex").slice(0, 16);
}

/** PGlite's version is part of the cache key: a dump only loads into the PGlite that made it. */
function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string };
      if (parsed.name === "@electric-sql/pglite") return parsed.version ?? "";
    }
  }
  return "";
}

/** A migrated, empty PGlite data dir as a dump: built once per machine per migrations state. */
async function pgliteSnapshot(): Promise<Blob> {
  snapshotPromise ??= cachedDump("migrated", async () => {
    const pglite = await PGlite.create({ loadDataDir: await pgliteEmptySnapshot() });
    const prisma = new PrismaClient({ adapter: createPgliteAdapterFactory(pglite) });
    const db: Db = {
      prisma,
      kind: "pglite",
      dataDir: "memory://",
      close: async () => {
        await prisma.$disconnect();
        await pglite.close();
      },
      migrationAdapter: () => createPgliteAdapterFactory(pglite),
    };
    await migrate(db);
    const dump = await pglite.dumpDataDir("none");
    await db.close();
    return dump;
  });
  return snapshotPromise;
}

async function createPgliteTestDatabase(): Promise<TestDatabase> {
  const db = await createDb({ url: undefined, dataDir: "memory://", pgliteSnapshot: await pgliteSnapshot() });
  // Applies migrations newer than the snapshot (none normally) and proves the snapshot is a migrated database.
  await migrate(db);
  return { db, drop: () => db.close() };
}

/** A fresh, migrated database of the given kind. Call drop() when done (afterAll). */
export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  return kind === "postgres" ? createPostgresTestDatabase() : createPgliteTestDatabase();
}

/**
 * Runs the same suite on PostgreSQL and on PGlite. `fn` receives a getter for the suite's database (valid
 * inside tests and hooks), created before the suite's tests and dropped after them.
 */
export function describeEachDatabase(
  name: string,
  fn: (database: () => TestDatabase, kind: DatabaseKind) => void,
): void {
  for (const kind of DATABASE_KINDS) {
    describe(`${name} [${kind}]`, () => {
      let current: TestDatabase | undefined;
      beforeAll(async () => {
        current = await createTestDatabase(kind);
      });
      afterAll(async () => {
        await current?.drop();
      });
      fn(() => {
        if (!current)
          throw new Error("the test database is created in beforeAll; use it inside tests or hooks");
        return current;
      }, kind);
    });
  }
}
