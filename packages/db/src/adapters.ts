/**
 * Driver adapter factories with one behaviour fixed for migrations: executeScript() must run the whole migration
 * script as ONE multi-statement simple query, which PostgreSQL executes in a single implicit transaction (a failing
 * migration leaves nothing behind), and must report failures.
 *
 * - pglite-prisma-adapter 0.7.2 does not await PGlite.exec(): a failing script is reported as applied and the
 *   rejection escapes as an unhandled promise.
 * - @prisma/adapter-pg 7.10 splits the script on ";" and runs the pieces one by one: not atomic, and it breaks
 *   any statement containing a semicolon (function bodies, string literals).
 */
import type { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  DriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import type pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";

interface PostgresErrorFields {
  code?: string;
  severity?: string;
  message: string;
  detail?: string;
  column?: string;
  hint?: string;
}

/** Runs `run`, turning a PostgreSQL error into the adapter error the schema engine understands. */
async function asAdapterError(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const e = error as PostgresErrorFields;
    if (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) {
      throw new DriverAdapterError({
        kind: "postgres",
        code: e.code,
        severity: e.severity ?? "ERROR",
        message: e.message,
        detail: e.detail,
        column: e.column,
        hint: e.hint,
      });
    }
    throw error;
  }
}

function withAtomicScripts(
  inner: SqlMigrationAwareDriverAdapterFactory,
  runScript: (adapter: SqlDriverAdapter, script: string) => Promise<unknown>,
): SqlMigrationAwareDriverAdapterFactory {
  const fix = (adapter: SqlDriverAdapter): SqlDriverAdapter => {
    adapter.executeScript = (script: string) => asAdapterError(() => runScript(adapter, script));
    return adapter;
  };
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => fix(await inner.connect()),
    connectToShadowDb: async () => fix(await inner.connectToShadowDb()),
  };
}

export function createPgliteAdapterFactory(pglite: PGlite): SqlMigrationAwareDriverAdapterFactory {
  return withAtomicScripts(new PrismaPGlite(pglite), (adapter, script) => {
    // The adapter keeps its PGlite as `client` (the shadow database has its own).
    const client = (adapter as unknown as { client: PGlite }).client;
    return client.exec(script);
  });
}

/** For the schema engine only (the application client uses PrismaPg directly). */
export function createPgMigrationAdapterFactory(
  config: pg.PoolConfig,
): SqlMigrationAwareDriverAdapterFactory {
  return withAtomicScripts(new PrismaPg(config), (adapter, script) => {
    const pool = (adapter as unknown as { underlyingDriver(): pg.Pool }).underlyingDriver();
    return pool.query(script);
  });
}
