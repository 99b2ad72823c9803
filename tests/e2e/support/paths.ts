import path from "node:path";
import { fileURLToPath } from "node:url";

/** tests/ (this package) and the repository root, found from this file so any working directory works. */
export const TESTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const REPO_ROOT = path.resolve(TESTS_DIR, "..");
export const RESULTS_DIR = path.join(TESTS_DIR, "test-results");
export const SCREENSHOTS_DIR = path.join(RESULTS_DIR, "screenshots");
/** The README's screenshots; written only with MOODLENS_UPDATE_SCREENSHOTS=1. */
export const DOCS_SCREENSHOTS_DIR = path.join(REPO_ROOT, "docs", "screenshots");
/** Signed-in browser states (cookies) the global setup saves: the ui project runs as the admin by default. */
export const AUTH_DIR = path.join(RESULTS_DIR, "auth");
export const ADMIN_STORAGE_STATE = path.join(AUTH_DIR, "admin.json");
export const ANALYST_STORAGE_STATE = path.join(AUTH_DIR, "analyst.json");
/** Everything the stack prints while the suite runs (kept for CI logs). */
export const STACK_LOG = path.join(RESULTS_DIR, "stack.log");

/** Read-only data beside the repository (never copied into it). */
export const SHARED_DIR = path.resolve(REPO_ROOT, "..", "shared");
export const GROUP_PHOTOS_DIR = path.join(SHARED_DIR, "samples", "group-photos");
export const FER_TRAIN_DIR = path.join(SHARED_DIR, "datasets", "fer2013", "train");
/** The shipped model; used when it has been trained (metadata.json present). */
export const DEFAULT_MODEL_DIR = path.join(REPO_ROOT, "models", "default");

/** A group photo with several frontal faces of 37-45 px (PASCAL VOC, boxed in training.xml). */
export const GROUP_PHOTO = path.join(GROUP_PHOTOS_DIR, "2007_007763.jpg");
