/**
 * Applies prisma/migrations to a database the way `prisma migrate deploy` does (same `_prisma_migrations` rows,
 * same checksums), but through the schema engine compiled to wasm and a driver adapter: no network, no native
 * engine, identical on PostgreSQL and PGlite. Each migration script runs as one multi-statement simple query,
 * which PostgreSQL executes in a single implicit transaction: a failing migration leaves nothing behind.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { AppError } from "@moodlens/shared";
import type { MigrationList } from "@prisma/schema-engine-wasm";
import { PGlite } from "@electric-sql/pglite";
import type { Db } from "../client";
import { createPgliteAdapterFactory } from "../adapters";
import { MIGRATIONS_DIR, SCHEMA_PATH } from "../paths";
import { startSchemaEngine } from "./schema-engine";

const EMPTY_MIGRATION = "-- This is an empty migration.";
const NO_FILTER = { externalTables: [], externalEnums: [] };

/** Reads the migrations folder into the engine's input shape (what the Prisma CLI does before calling it). */
export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<MigrationList> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const migrationDirectories = await Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name, "migration.sql");
      const content = await readFile(file, "utf8").then(
        (text) => ({ tag: "ok" as const, value: text }),
        (error: Error) => ({ tag: "error" as const, value: error.message }),
      );
      return { path: name, migrationFile: { path: "migration.sql", content } };
    }),
  );
  const lockPath = path.join(dir, "migration_lock.toml");
  const lockContent = await readFile(lockPath, "utf8").catch(() => null);
  return {
    baseDir: dir,
    lockfile: { path: "migration_lock.toml", content: lockContent },
    shadowDbInitScript: "",
    migrationDirectories,
  } as MigrationList;
}

export interface MigrateResult {
  /** Names of the migrations applied by this call (empty when the database was up to date). */
  applied: string[];
}

/** The engine reports errors as JSON or plain text; keep the human part. */
function engineMessage(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  try {
    const parsed = JSON.parse(raw) as { message?: string; error_code?: string };
    if (parsed.message) return parsed.error_code ? `${parsed.error_code}: ${parsed.message}` : parsed.message;
  } catch {
    // not JSON
  }
  return raw;
}

/**
 * Applies every pending migration from `migrationsDir` (default: this package's prisma/migrations).
 * A second call applies nothing. A failed migration is recorded as failed (like migrate deploy) and reported.
 */
export async function migrate(db: Db, options: { migrationsDir?: string } = {}): Promise<MigrateResult> {
  const migrationsList = await loadMigrations(options.migrationsDir);
  // The engine takes PostgreSQL's migration advisory lock itself, so concurrent callers (API + trainer) queue.
  const handle = await startSchemaEngine(db.migrationAdapter());
  try {
    const output = await handle.engine.applyMigrations({ migrationsList, filters: NO_FILTER });
    return { applied: output.appliedMigrationNames };
  } catch (error) {
    const message = engineMessage(error).split("\n")[0]!;
    if (/P1001|P1017|can't reach|connection/i.test(message)) {
      throw new AppError("DATABASE_UNAVAILABLE", `migration failed: ${message}`, { cause: error });
    }
    throw new AppError("INTERNAL", `migration failed: ${message}`, {
      hint: "fix the migration or the database; the _prisma_migrations table holds the failed row",
      cause: error,
    });
  } finally {
    await handle.free();
  }
}

/**
 * SQL that would bring the migrations folder's end state to prisma/schema.prisma: empty means the committed
 * migrations match the schema (used by a test, and to draft new migrations offline).
 */
export async function diffMigrationsToSchema(
  options: {
    migrationsDir?: string;
    schemaPath?: string;
    /** An empty PGlite dump to start the scratch database from (faster). */ pgliteSnapshot?: Blob;
  } = {},
): Promise<string> {
  const migrationsList = await loadMigrations(options.migrationsDir);
  const schemaPath = options.schemaPath ?? SCHEMA_PATH;
  const content = await readFile(schemaPath, "utf8");
  // The engine replays the migrations on a "shadow database" and diffs it with the schema. Not adapter-pg's:
  // it needs CREATE DATABASE rights and (7.10) ends up on the main database.
  // One in-memory PGlite serves as both the engine's connection and its shadow database (PGlite's own adapter
  // would start a second one, another ~6 s of initdb).
  const scratch = options.pgliteSnapshot
    ? await PGlite.create({ loadDataDir: options.pgliteSnapshot })
    : new PGlite("memory://");
  const factory = createPgliteAdapterFactory(scratch);
  const handle = await startSchemaEngine({ ...factory, connectToShadowDb: () => factory.connect() });
  try {
    const result = await handle.engine.diff({
      from: { tag: "migrations", ...migrationsList },
      to: { tag: "schemaDatamodel", files: [{ path: schemaPath, content }] },
      script: true,
      exitCode: null,
      filters: NO_FILTER,
    });
    const script = (result.stdout ?? "").trim();
    return script === EMPTY_MIGRATION ? "" : script;
  } finally {
    await handle.free();
    await scratch.close();
  }
}
