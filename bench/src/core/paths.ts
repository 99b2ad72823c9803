import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Where things live, resolved from this file so the bench runs from any working directory. */
export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const REPO_ROOT = resolve(BENCH_DIR, "..");
export const SHARED_DIR = process.env.MOODLENS_SHARED_DIR ?? resolve(REPO_ROOT, "..", "shared");
export const GROUP_PHOTOS_DIR = join(SHARED_DIR, "samples", "group-photos");
export const FER_VAL_DIR = join(SHARED_DIR, "datasets", "fer2013", "val");
export const RESULTS_DIR = join(BENCH_DIR, "results");
export const DEFAULT_MODEL_DIR = join(REPO_ROOT, "models", "default");
export const ROOT_README = join(REPO_ROOT, "README.md");

/**
 * A path as the committed results record it: relative to the repository (`models/default`, `../shared/...`), never
 * this machine's absolute path. Strings that are not under the repository's parent stay as they are.
 */
export function recordedPath(path: string): string {
  const parent = dirname(REPO_ROOT);
  return path === REPO_ROOT || path.startsWith(`${parent}/`) ? relative(REPO_ROOT, path) || "." : path;
}

/** Every string in a results object that holds an absolute path under the repository's parent, made relative. */
export function withRecordedPaths<T>(value: T): T {
  const prefix = `${dirname(REPO_ROOT)}/`;
  return JSON.parse(
    JSON.stringify(value, (_key, inner: unknown) =>
      typeof inner === "string" && inner.includes(prefix)
        ? inner.replace(/(\/[^\s"'`:,;()]+)/g, (match) =>
            match.startsWith(prefix) ? recordedPath(match) : match,
          )
        : inner,
    ),
  ) as T;
}
