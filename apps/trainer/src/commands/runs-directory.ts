import { env } from "../env";
import { resolveUserPath } from "../util/paths";

/** The folder holding run folders: --run-dir, else MOODLENS_RUNS_DIR (default .data/runs). */
export const runsDirectoryFrom = (value: string | undefined): string =>
  resolveUserPath(value ?? env().MOODLENS_RUNS_DIR);
