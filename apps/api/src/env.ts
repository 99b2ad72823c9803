import { defaultPgliteDir } from "@moodlens/db";
import { parseEnv } from "@moodlens/shared";
import { z } from "zod";
import { DEFAULTS, type ApiConfig } from "./config";

const integer = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);
const flag = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"])
    .default(fallback ? "true" : "false")
    .transform((value) => value === "true" || value === "1" || value === "yes");
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value && value.trim() !== "" ? value.trim() : undefined));

/**
 * Every environment variable the API reads, in one place (README's configuration table lists the same).
 * Parsed once at start; the resulting `ApiConfig` is passed down explicitly.
 */
export const apiEnvSchema = z.object({
  PORT: integer(DEFAULTS.port, 0),
  HOST: z.string().default(DEFAULTS.host),
  DATABASE_URL: optionalText,
  MOODLENS_DATA_DIR: optionalText,
  MOODLENS_MODEL_DIR: optionalText,
  MOODLENS_BACKEND: optionalText,
  MOODLENS_AUTH: z.enum(["required", "optional"]).default("required"),
  MOODLENS_STORE_IMAGES: flag(false),
  MOODLENS_STORE_VIDEOS: flag(false),
  MOODLENS_MAX_VIDEO_BYTES: integer(512 * 1024 * 1024, 1024),
  /** A live stream (analyzeFrame) without frames for this long is dropped; a recorded one gets its last seconds stored. */
  MOODLENS_LIVE_IDLE_SECONDS: integer(DEFAULTS.liveIdleSeconds, 1),
  MOODLENS_MIN_GROUP_SIZE: integer(DEFAULTS.minGroupSize, 1),
  MOODLENS_MAX_BODY_BYTES: integer(DEFAULTS.maxBodyBytes, 1024),
  MOODLENS_MAX_IMAGE_BYTES: integer(DEFAULTS.maxImageBytes, 1024),
  MOODLENS_MAX_IMAGE_PIXELS: integer(DEFAULTS.maxImagePixels, 64 * 64),
  MOODLENS_MAX_IMAGE_SIDE: integer(DEFAULTS.maxImageSide, 64),
  MOODLENS_MAX_ASPECT_RATIO: integer(DEFAULTS.maxAspectRatio, 1),
  MOODLENS_MAX_BATCH: integer(DEFAULTS.maxBatchSize, 1),
  MOODLENS_MAX_FACES: integer(DEFAULTS.maxFaces, 1),
  MOODLENS_MAX_EXPLAIN_FACES: integer(DEFAULTS.maxExplainFaces, 1),
  MOODLENS_MAX_CONCURRENT_EXPLAIN: integer(DEFAULTS.maxConcurrentExplain, 1),
  MOODLENS_MAX_QUERY_DEPTH: integer(DEFAULTS.maxQueryDepth, 2),
  MOODLENS_MAX_QUERY_COST: integer(DEFAULTS.maxQueryCost, 10),
  MOODLENS_MAX_ALIASES: integer(DEFAULTS.maxAliases, 1),
  MOODLENS_MAX_DIRECTIVES: integer(DEFAULTS.maxDirectives, 1),
  MOODLENS_MAX_TOKENS: integer(DEFAULTS.maxTokens, 100),
  MOODLENS_MAX_STATS_BUCKETS: integer(DEFAULTS.maxStatsBuckets, 100),
  MOODLENS_RATE_LIMIT_PER_MINUTE: integer(DEFAULTS.rateLimitPerMinute, 1),
  MOODLENS_ANONYMOUS_RATE_LIMIT_PER_MINUTE: integer(DEFAULTS.anonymousRateLimitPerMinute, 1),
  MOODLENS_MODEL_POLL_MS: integer(DEFAULTS.modelPollMs, 0),
  MOODLENS_CORS_ORIGINS: optionalText,
  MOODLENS_INTROSPECTION: flag(true),
  /** Any non-empty value: the CLIs (server, seed, apikey, users) print the stack of an internal error. */
  MOODLENS_DEBUG: z.string().optional(),
});

export type ApiEnv = z.infer<typeof apiEnvSchema>;

/**
 * MOODLENS_DEBUG alone, for runCli: read before the rest of the configuration is parsed, and never fails, so an
 * invalid variable still ends as runCli's one-line error.
 */
export const cliDebug = (env: NodeJS.ProcessEnv = process.env): boolean =>
  Boolean(parseEnv(apiEnvSchema.pick({ MOODLENS_DEBUG: true }), env).MOODLENS_DEBUG);

/** Reads the process environment into the API's typed configuration. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const parsed = parseEnv(apiEnvSchema, env);
  return {
    port: parsed.PORT,
    host: parsed.HOST,
    databaseUrl: parsed.DATABASE_URL,
    // The PGlite folder inside the data folder, as for every other process (and where npm start serves it from).
    dataDir: parsed.MOODLENS_DATA_DIR ? defaultPgliteDir(parsed.MOODLENS_DATA_DIR) : undefined,
    modelDir: parsed.MOODLENS_MODEL_DIR,
    backend: parsed.MOODLENS_BACKEND,
    auth: parsed.MOODLENS_AUTH,
    storeImages: parsed.MOODLENS_STORE_IMAGES,
    storeVideos: parsed.MOODLENS_STORE_VIDEOS,
    maxVideoBytes: parsed.MOODLENS_MAX_VIDEO_BYTES,
    liveIdleSeconds: parsed.MOODLENS_LIVE_IDLE_SECONDS,
    minGroupSize: parsed.MOODLENS_MIN_GROUP_SIZE,
    limits: {
      maxBodyBytes: parsed.MOODLENS_MAX_BODY_BYTES,
      maxImageBytes: parsed.MOODLENS_MAX_IMAGE_BYTES,
      maxImagePixels: parsed.MOODLENS_MAX_IMAGE_PIXELS,
      maxImageSide: parsed.MOODLENS_MAX_IMAGE_SIDE,
      maxAspectRatio: parsed.MOODLENS_MAX_ASPECT_RATIO,
      maxBatchSize: parsed.MOODLENS_MAX_BATCH,
      maxFaces: parsed.MOODLENS_MAX_FACES,
      maxExplainFaces: parsed.MOODLENS_MAX_EXPLAIN_FACES,
      maxConcurrentExplain: parsed.MOODLENS_MAX_CONCURRENT_EXPLAIN,
      maxQueryDepth: parsed.MOODLENS_MAX_QUERY_DEPTH,
      maxQueryCost: parsed.MOODLENS_MAX_QUERY_COST,
      maxAliases: parsed.MOODLENS_MAX_ALIASES,
      maxDirectives: parsed.MOODLENS_MAX_DIRECTIVES,
      maxTokens: parsed.MOODLENS_MAX_TOKENS,
      maxStatsBuckets: parsed.MOODLENS_MAX_STATS_BUCKETS,
      rateLimitPerMinute: parsed.MOODLENS_RATE_LIMIT_PER_MINUTE,
      anonymousRateLimitPerMinute: parsed.MOODLENS_ANONYMOUS_RATE_LIMIT_PER_MINUTE,
    },
    modelPollMs: parsed.MOODLENS_MODEL_POLL_MS,
    corsOrigins:
      parsed.MOODLENS_CORS_ORIGINS?.split(",")
        .map((origin) => origin.trim())
        .filter(Boolean) ?? [],
    introspection: parsed.MOODLENS_INTROSPECTION,
  };
}
