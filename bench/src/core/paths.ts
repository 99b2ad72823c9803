import { dirname, join, resolve } from "node:path";
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
