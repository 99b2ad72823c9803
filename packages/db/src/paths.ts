import path from "node:path";
import { fileURLToPath } from "node:url";

/** packages/db (this package), found from this file so it works from any working directory. */
export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const REPO_ROOT = path.resolve(PACKAGE_DIR, "..", "..");
export const MIGRATIONS_DIR = path.join(PACKAGE_DIR, "prisma", "migrations");
export const SCHEMA_PATH = path.join(PACKAGE_DIR, "prisma", "schema.prisma");

/**
 * The data folder: `dataDir` (the app's MOODLENS_DATA_DIR, read by its env.ts) resolved against the working
 * directory, or `.data/` at the repository root when it is unset or empty.
 */
export const defaultDataDir = (dataDir?: string): string =>
  dataDir ? path.resolve(dataDir) : path.join(REPO_ROOT, ".data");

/** Where the embedded database lives when DATABASE_URL is unset: `pglite/` in the data folder (see defaultDataDir). */
export const defaultPgliteDir = (dataDir?: string): string => path.join(defaultDataDir(dataDir), "pglite");

/** Where a running embedded server advertises its URL, inside the PGlite folder it serves. */
export const embeddedServerFile = (pgliteDir: string): string => path.join(pgliteDir, "moodlens-server.json");

/** Pool size clients should use against the embedded server: extra connections only queue. */
export const EMBEDDED_SERVER_POOL_SIZE = 2;
