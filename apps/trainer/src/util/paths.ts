import { isAbsolute, resolve } from "node:path";

/**
 * `npm run trainer -- …` runs the CLI inside apps/trainer, but users type paths relative to where they ran npm
 * (the repo root). npm exports that folder as INIT_CWD; relative paths are resolved against it.
 */
export const invocationDirectory = (): string => process.env.INIT_CWD ?? process.cwd();

export const resolveUserPath = (path: string): string =>
  isAbsolute(path) ? path : resolve(invocationDirectory(), path);

/** The repository root (apps/trainer/src/util → ../../../..), for repo-relative defaults like models/default. */
export const REPO_ROOT = resolve(new URL(".", import.meta.url).pathname, "..", "..", "..", "..");
