import path from "node:path";
import { fileURLToPath } from "node:url";

/** packages/db (this package), found from this file so it works from any working directory. */
export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const REPO_ROOT = path.resolve(PACKAGE_DIR, "..", "..");
export const MIGRATIONS_DIR = path.join(PACKAGE_DIR, "prisma", "migrations");
export const SCHEMA_PATH = path.join(PACKAGE_DIR, "prisma", "schema.prisma");

/** MOODLENS_DATA_DIR, or `.data/` at the repository root. */
export const defaultDataDir = (env: NodeJS.ProcessEnv = process.env): string =>
  env.MOODLENS_DATA_DIR ? path.resolve(env.MOODLENS_DATA_DIR) : path.join(REPO_ROOT, ".data");

/** Where the embedded database lives when DATABASE_URL is unset. */
export const defaultPgliteDir = (env: NodeJS.ProcessEnv = process.env): string =>
  path.join(defaultDataDir(env), "pglite");

/** Where a running embedded server advertises its URL, inside the PGlite folder it serves. */
export const embeddedServerFile = (pgliteDir: string): string => path.join(pgliteDir, "moodlens-server.json");

/** Pool size clients should use against the embedded server: extra connections only queue. */
export const EMBEDDED_SERVER_POOL_SIZE = 2;
