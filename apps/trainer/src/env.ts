import { z } from "zod";
import { parseBackendPreference, type BackendPreference } from "@moodlens/model";
import { parseEnv } from "@moodlens/shared";

/**
 * The trainer's environment, parsed once. Paths are resolved against the folder npm was run from.
 * MOODLENS_BACKEND is checked by @moodlens/model's parseBackendPreference and DATABASE_URL's form by @moodlens/db's createDb.
 */
const schema = z.object({
  MOODLENS_CACHE_DIR: z.string().min(1).default(".data/cache"),
  MOODLENS_RUNS_DIR: z.string().min(1).default(".data/runs"),
  /** The data folder (its pglite/ holds the embedded database); unset: .data at the repository root. */
  MOODLENS_DATA_DIR: z.string().min(1).optional(),
  MOODLENS_MODELS_DIR: z.string().min(1).default("models"),
  /** Any non-empty value: the CLI prints the stack of an internal error. */
  MOODLENS_DEBUG: z.string().optional(),
  /** tfjs backend / training engine preference (auto, native, wasm, cpu, ...); --backend overrides it. */
  MOODLENS_BACKEND: z.string().optional(),
  /** PostgreSQL; unset or blank: the embedded PGlite database. */
  DATABASE_URL: z.string().optional(),
  /** The model `evaluate` measures when the registry names no production version (as the API serves it). */
  MOODLENS_MODEL_DIR: z.string().optional(),
  /** "off": behave as if the native training engine (@moodlens/native) were not built (tests of the fallback). */
  MOODLENS_NATIVE: z.enum(["on", "off"]).default("on"),
});

export type TrainerEnv = z.infer<typeof schema>;

let cached: TrainerEnv | undefined;
export const env = (): TrainerEnv => (cached ??= parseEnv(schema));

/**
 * MOODLENS_DEBUG alone, for runCli: read before the rest of the environment is parsed, and never fails, so an
 * invalid variable still ends as runCli's one-line error.
 */
export const cliDebug = (): boolean =>
  Boolean(parseEnv(schema.pick({ MOODLENS_DEBUG: true })).MOODLENS_DEBUG);

/** MOODLENS_BACKEND as a backend preference ("auto" when unset); a value that names no backend is CONFIG_INVALID. */
export const backendPreference = (): BackendPreference => parseBackendPreference(env().MOODLENS_BACKEND);
