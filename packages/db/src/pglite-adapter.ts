/**
 * pglite-prisma-adapter 0.7.2 with one fix: its executeScript() does not await PGlite.exec(), so a failing
 * migration script is reported as applied and the rejection escapes as an unhandled promise. The schema engine
 * runs every migration through executeScript(), so we await it here and report the failure as a Postgres error.
 */
import type { PGlite } from "@electric-sql/pglite";
import {
  DriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";

interface PgliteDatabaseError {
  code?: string;
  severity?: string;
  message: string;
  detail?: string;
  column?: string;
  hint?: string;
}

export function createPgliteAdapterFactory(pglite: PGlite): SqlMigrationAwareDriverAdapterFactory {
  const inner = new PrismaPGlite(pglite);
  const fix = (adapter: SqlDriverAdapter, client: PGlite): SqlDriverAdapter => {
    adapter.executeScript = async (script: string) => {
      try {
        await client.exec(script);
      } catch (error) {
        const e = error as PgliteDatabaseError;
        if (typeof e.code === "string") {
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
    };
    return adapter;
  };
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => fix(await inner.connect(), pglite),
    connectToShadowDb: async () => {
      const shadow = await inner.connectToShadowDb();
      return fix(shadow, (shadow as unknown as { client: PGlite }).client);
    },
  };
}
