/**
 * The one way to get a database: PostgreSQL when DATABASE_URL (or `url`) is set, otherwise an embedded PGlite
 * database in a folder. Both speak PostgreSQL, so every query and migration is the same on both.
 */
import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { AppError } from "@moodlens/shared";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { acquireDataDirLock } from "./data-dir-lock";
import { PrismaClient } from "./generated/prisma/client";
import { defaultPgliteDir, EMBEDDED_SERVER_POOL_SIZE, embeddedServerFile } from "./paths";
import { createPgliteAdapterFactory, createPgMigrationAdapterFactory } from "./adapters";

export type DatabaseKind = "postgres" | "pglite";

export interface CreateDbOptions {
  /** PostgreSQL URL (the app's env.ts reads DATABASE_URL and passes it); unset or blank: PGlite. */
  url?: string | undefined;
  /** What to call the URL in errors (e.g. "DATABASE_URL" when it came from that variable). */
  urlName?: string;
  /** PGlite folder (or "memory://"); default <repo>/.data/pglite (apps pass defaultPgliteDir(MOODLENS_DATA_DIR)). */
  dataDir?: string;
  /** Pool size for PostgreSQL (default 10; use 1 against a pglite-socket server). */
  poolSize?: number;
  /** PGlite only: start from this data-dir dump (PGlite.dumpDataDir) instead of an empty folder. Used by tests. */
  pgliteSnapshot?: Blob | File;
}

export interface Db {
  prisma: PrismaClient;
  /** How this process reaches the data: a PostgreSQL connection (also to the PGlite that `npm start` serves). */
  kind: DatabaseKind;
  /**
   * The server's own name and version, e.g. "PostgreSQL 15.2" or "PostgreSQL 18.6 (PGlite 0.5.14)": what logs and
   * /readyz show (see `databaseEngine`), since a `postgres` connection may lead to the embedded PGlite.
   */
  server?: string;
  /** The PostgreSQL URL (password removed), when kind is postgres. */
  url?: string;
  /** The PGlite folder, when kind is pglite. */
  dataDir?: string;
  /** Closes the client, the pool or PGlite, and releases the folder lock. Safe to call twice. */
  close(): Promise<void>;
  /** A fresh adapter factory on the same database, for the schema engine (migrations). */
  migrationAdapter(): SqlMigrationAwareDriverAdapterFactory;
}

export const DEFAULT_POOL_SIZE = 10;
/**
 * Generous on purpose: the embedded server (one PGlite session shared by every local process) makes a new
 * connection wait while another client's transaction runs, e.g. a demo seed. A server that is down refuses at once.
 */
const CONNECT_TIMEOUT_MS = 30_000;
/**
 * Interactive transactions wait up to 10 s for a connection (Prisma's default is 2 s): PGlite, directly or served
 * to several processes, runs one transaction at a time, so a burst of writes queues.
 */
const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 15_000 };

/**
 * A pg Client that always has an 'error' listener. pg emits 'error' on a client whose server ends the connection
 * (FATAL 57P01 from pg_terminate_backend, a restarting server) even while a pool has it checked out and nobody
 * listens: an EventEmitter 'error' without a listener ends the process. The pending query is failed by pg
 * itself (it becomes DATABASE_UNAVAILABLE in toDatabaseError), and the pool drops the dead client on release.
 */
export class ResilientPgClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on("error", () => {});
  }
}

/** "PostgreSQL 18.6 (PGlite 0.5.14) on wasm32-unknown-emscripten, compiled by …" → "PostgreSQL 18.6 (PGlite 0.5.14)". */
const serverName = (version: string | undefined): string | undefined =>
  version?.split(" on ")[0]?.trim() || undefined;

/** What stores the data, whatever the connection: "pglite" for PGlite reached over a socket too. */
export const databaseEngine = (db: Pick<Db, "kind" | "server">): DatabaseKind =>
  db.server?.includes("PGlite") ? "pglite" : db.kind;

/** Removes the password so URLs can be logged and shown in errors. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<unparseable>";
  }
}

function parsePostgresUrl(url: string, variable: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError("CONFIG_INVALID", `${variable} is not a valid URL`, {
      hint: "expected postgres://USER[:PASSWORD]@HOST:PORT/DATABASE, or unset it to use the embedded database",
      details: { variable },
    });
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new AppError(
      "CONFIG_INVALID",
      `${variable} must start with postgres:// or postgresql:// (got ${parsed.protocol}//)`,
      {
        hint: "expected postgres://USER[:PASSWORD]@HOST:PORT/DATABASE, or unset it to use the embedded database",
        details: { variable },
      },
    );
  }
  if (!parsed.hostname && !parsed.searchParams.get("host")) {
    throw new AppError("CONFIG_INVALID", `${variable} has no host`, {
      hint: "expected postgres://USER[:PASSWORD]@HOST:PORT/DATABASE",
      details: { variable },
    });
  }
  return parsed;
}

/** Turns a failed first connection into a one-line AppError that names the fix. */
export function connectionError(error: unknown, url: URL): AppError {
  const where = `${url.hostname}:${url.port || 5432}`;
  const database = decodeURIComponent(url.pathname.replace(/^\//, "")) || "postgres";
  const code = (error as { code?: string }).code;
  if (code === "3D000") {
    return new AppError("DATABASE_UNAVAILABLE", `database "${database}" does not exist on ${where}`, {
      hint: `create it (createdb -h ${url.hostname} -U ${url.username || "postgres"} ${database}) or fix DATABASE_URL`,
      cause: error,
    });
  }
  if (code === "28P01" || code === "28000") {
    return new AppError(
      "DATABASE_UNAVAILABLE",
      `PostgreSQL at ${where} refused the credentials in DATABASE_URL`,
      {
        hint: "fix the user/password in DATABASE_URL",
        cause: error,
      },
    );
  }
  return new AppError(
    "DATABASE_UNAVAILABLE",
    `cannot reach PostgreSQL at ${where} (${code ?? (error as Error).message})`,
    {
      hint: "start PostgreSQL, fix DATABASE_URL, or unset DATABASE_URL to use the embedded database",
      cause: error,
    },
  );
}

async function createPostgresDb(rawUrl: string, variable: string, poolSize: number): Promise<Db> {
  const url = parsePostgresUrl(rawUrl, variable);
  const poolConfig: pg.PoolConfig = {
    connectionString: rawUrl,
    max: poolSize,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // Every session in UTC: the adapters read timestamptz text as UTC, and stats bucket with explicit zones.
    options: "-c TimeZone=UTC",
    Client: ResilientPgClient,
  };
  const pool = new pg.Pool(poolConfig);
  // An idle client losing its server must not crash the process; the next query reports it instead.
  pool.on("error", () => {});
  let server: string | undefined;
  try {
    const client = await pool.connect();
    try {
      server = serverName((await client.query<{ version: string }>("SELECT version()")).rows[0]?.version);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => {});
    throw connectionError(error, url);
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool), transactionOptions: TRANSACTION_OPTIONS });
  let closed: Promise<void> | undefined;
  return {
    prisma,
    kind: "postgres",
    ...(server ? { server } : {}),
    url: redactUrl(rawUrl),
    close: () =>
      (closed ??= (async () => {
        await prisma.$disconnect().catch(() => {});
        await pool.end().catch(() => {});
      })()),
    migrationAdapter: () => createPgMigrationAdapterFactory({ ...poolConfig, max: 1 }),
  };
}

/** @internal PGlite-backed Db plus the PGlite instance itself (for serveEmbeddedDatabase). */
export async function openPgliteDb(
  dataDir: string,
  snapshot?: Blob | File,
): Promise<Db & { pglite: PGlite }> {
  const inMemory = dataDir.startsWith("memory://");
  if (!inMemory) await mkdir(dataDir, { recursive: true });
  const release = inMemory ? () => {} : acquireDataDirLock(dataDir);
  let pglite: PGlite;
  let server: string;
  try {
    pglite = await PGlite.create(snapshot ? { dataDir, loadDataDir: snapshot } : { dataDir });
    await pglite.exec("SET TIME ZONE 'UTC'");
    server =
      serverName((await pglite.query<{ version: string }>("SELECT version()")).rows[0]?.version) ?? "PGlite";
  } catch (error) {
    release();
    throw new AppError(
      "DATABASE_UNAVAILABLE",
      `cannot open the embedded database in ${dataDir}: ${(error as Error).message}`,
      {
        hint: "the folder may be damaged or used by another program; set MOODLENS_DATA_DIR to another folder",
        cause: error,
      },
    );
  }
  const prisma = new PrismaClient({
    adapter: createPgliteAdapterFactory(pglite),
    transactionOptions: TRANSACTION_OPTIONS,
  });
  let closed: Promise<void> | undefined;
  return {
    pglite,
    prisma,
    kind: "pglite",
    server,
    dataDir,
    close: () =>
      (closed ??= (async () => {
        await prisma.$disconnect().catch(() => {});
        await pglite.close().catch(() => {});
        release();
      })()),
    migrationAdapter: () => createPgliteAdapterFactory(pglite),
  };
}

/**
 * Opens the database: `url` → PostgreSQL (adapter-pg); none → PGlite in `dataDir`. Reads no environment: the
 * apps' env.ts pass DATABASE_URL and MOODLENS_DATA_DIR in.
 * Fails fast with AppError CONFIG_INVALID (bad URL) or DATABASE_UNAVAILABLE (unreachable, missing database,
 * folder used by another process). Call `migrate(db)` next, and `close()` at the end.
 */
export async function createDb(options: CreateDbOptions = {}): Promise<Db> {
  const url = options.url?.trim() || undefined;
  if (url)
    return createPostgresDb(
      url,
      options.urlName ?? "the database URL",
      options.poolSize ?? DEFAULT_POOL_SIZE,
    );
  const dataDir = options.dataDir ?? defaultPgliteDir();
  // `npm start` serves the embedded folder to every local process: connect to it rather than open the folder.
  const served = runningEmbeddedServer(dataDir);
  if (served)
    return createPostgresDb(
      served,
      "the embedded database server",
      options.poolSize ?? EMBEDDED_SERVER_POOL_SIZE,
    );
  const { pglite: _pglite, ...db } = await openPgliteDb(dataDir, options.pgliteSnapshot);
  return db;
}

/** The URL a live embedded server advertises for `dataDir` (see serveEmbeddedDatabase), if any. */
function runningEmbeddedServer(dataDir: string): string | undefined {
  if (dataDir.startsWith("memory://")) return undefined;
  try {
    const { url, pid } = JSON.parse(readFileSync(embeddedServerFile(dataDir), "utf8")) as {
      url: string;
      pid: number;
    };
    if (pid === process.pid) return undefined; // the serving process itself never goes through its own socket
    process.kill(pid, 0); // throws when the advertising process is gone (a stale file after a crash)
    return url;
  } catch {
    return undefined;
  }
}
