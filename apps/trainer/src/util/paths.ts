import { isAbsolute, relative, resolve, sep } from "node:path";

/**
 * `npm run trainer -- …` runs the CLI inside apps/trainer, but users type paths relative to where they ran npm
 * (the repo root). npm exports that folder as INIT_CWD; relative paths are resolved against it.
 */
export const invocationDirectory = (): string => process.env.INIT_CWD ?? process.cwd();

export const resolveUserPath = (path: string): string =>
  isAbsolute(path) ? path : resolve(invocationDirectory(), path);

/** The repository root (apps/trainer/src/util → ../../../..), for repo-relative defaults like models/default. */
export const REPO_ROOT = resolve(new URL(".", import.meta.url).pathname, "..", "..", "..", "..");

/**
 * Paths in records that get committed (run.json, metadata.json, evaluation.json) or shown must not name this
 * machine: a path inside the repository or beside it (`../shared/...`) is stored relative to the repo root, and
 * resolved against it at use (`fromRecordedPath`). Paths farther away (a temporary folder) stay absolute.
 */
export function toRecordedPath(path: string): string {
  const fromRoot = relative(REPO_ROOT, resolve(path));
  const parts = fromRoot.split(sep);
  const ups = parts.filter((part) => part === "..").length;
  const besideOrInside = ups === 0 || (ups === 1 && parts[0] === ".." && parts.length > 1);
  return besideOrInside && !isAbsolute(fromRoot) ? fromRoot.split(sep).join("/") || "." : resolve(path);
}

/** The path a record names, on this machine (older records hold absolute paths, used as they are). */
export const fromRecordedPath = (recorded: string): string =>
  isAbsolute(recorded) ? recorded : resolve(REPO_ROOT, recorded);
