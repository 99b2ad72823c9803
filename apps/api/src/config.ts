/** Defaults for every tunable, in one place (env.ts and tests start from these). */
export const DEFAULTS = {
  port: 4000,
  host: "0.0.0.0",
  /** Below this many faces a statistics group is hidden (k-anonymity style privacy floor). */
  minGroupSize: 5,
  /** Seconds without a frame after which a live stream is dropped (@moodlens/video's DEFAULT_STREAM_IDLE_MS). */
  liveIdleSeconds: 30,
  /** Whole HTTP request body; a base64 image is ~4/3 of its bytes, so this leaves room for one max-size image. */
  maxBodyBytes: 12 * 1024 * 1024,
  /** Decoded image bytes. */
  maxImageBytes: 8 * 1024 * 1024,
  /** Width x height after decoding (guards against decompression bombs). */
  maxImagePixels: 25_000_000,
  /** Longer image side (px) and long/short side ratio: bound the detector's views per image. */
  maxImageSide: 10_000,
  maxAspectRatio: 20,
  maxBatchSize: 16,
  /** Faces classified per image; more are reported as skippedOverFaceLimit. */
  maxFaces: 100,
  /** With explain: faces that get a saliency map, and explain analyses running at once per instance. */
  maxExplainFaces: 10,
  maxConcurrentExplain: 1,
  maxQueryDepth: 8,
  /** graphql-armor's cost (objects 2, scalars 1, nested levels x1.5, lists x their literal `first`). */
  maxQueryCost: 20_000,
  /** Aliased fields per operation (each alias of a field runs it again). */
  maxAliases: 15,
  maxDirectives: 50,
  /** Lexical tokens per document (bounds parsing work). */
  maxTokens: 2_000,
  /** Statistics buckets one operation may compute (every emotionStats field's buckets, summed). */
  maxStatsBuckets: 10_000,
  /** Requests per client address per minute when no credentials are sent (per instance). */
  anonymousRateLimitPerMinute: 120,
  /** Requests per key per minute, counted in the database so every instance shares it. */
  rateLimitPerMinute: 600,
  /** How often an instance checks which model version is active (ms); 0 = only at start and on promote. */
  modelPollMs: 5_000,
} as const;

export interface ApiLimits {
  maxBodyBytes: number;
  maxImageBytes: number;
  maxImagePixels: number;
  maxImageSide: number;
  maxAspectRatio: number;
  maxBatchSize: number;
  maxFaces: number;
  maxExplainFaces: number;
  maxConcurrentExplain: number;
  maxQueryDepth: number;
  maxQueryCost: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  maxStatsBuckets: number;
  rateLimitPerMinute: number;
  anonymousRateLimitPerMinute: number;
}

/** Everything the API needs to run, parsed once from the environment (env.ts) or built by tests. */
export interface ApiConfig {
  port: number;
  host: string;
  /** PostgreSQL URL; unset = embedded PGlite in dataDir. */
  databaseUrl: string | undefined;
  /** The PGlite folder (from the environment: $MOODLENS_DATA_DIR/pglite); unset = the db package's default. */
  dataDir: string | undefined;
  /** Model directory to serve when the database names no active version (default models/default). */
  modelDir: string | undefined;
  /** tfjs backend request: auto|tensorflow-gpu|tensorflow|wasm|cpu. */
  backend: string | undefined;
  /** required: every operation except health needs a key; optional: no key = local developer with all scopes. */
  auth: "required" | "optional";
  /** Keep the uploaded image bytes with the analysis (off unless an operator opts in). */
  storeImages: boolean;
  /** Keep uploaded videos after their job ends (MOODLENS_STORE_VIDEOS; off: deleted once analysed). */
  storeVideos?: boolean;
  /** Largest POST /v1/videos body (MOODLENS_MAX_VIDEO_BYTES; default 512 MiB). */
  maxVideoBytes?: number;
  /** Idle timeout of live frame streams (MOODLENS_LIVE_IDLE_SECONDS; default 30 s). */
  liveIdleSeconds?: number;
  minGroupSize: number;
  limits: ApiLimits;
  modelPollMs: number;
  corsOrigins: string[];
  introspection: boolean;
}

/** A complete config from defaults plus overrides (limits merge field by field). */
export function defaultConfig(
  overrides: Omit<Partial<ApiConfig>, "limits"> & { limits?: Partial<ApiLimits> } = {},
): ApiConfig {
  return {
    port: DEFAULTS.port,
    host: DEFAULTS.host,
    databaseUrl: undefined,
    dataDir: undefined,
    modelDir: undefined,
    backend: undefined,
    auth: "required",
    storeImages: false,
    minGroupSize: DEFAULTS.minGroupSize,
    modelPollMs: DEFAULTS.modelPollMs,
    corsOrigins: [],
    introspection: true,
    ...overrides,
    limits: {
      maxBodyBytes: DEFAULTS.maxBodyBytes,
      maxImageBytes: DEFAULTS.maxImageBytes,
      maxImagePixels: DEFAULTS.maxImagePixels,
      maxImageSide: DEFAULTS.maxImageSide,
      maxAspectRatio: DEFAULTS.maxAspectRatio,
      maxBatchSize: DEFAULTS.maxBatchSize,
      maxFaces: DEFAULTS.maxFaces,
      maxExplainFaces: DEFAULTS.maxExplainFaces,
      maxConcurrentExplain: DEFAULTS.maxConcurrentExplain,
      maxQueryDepth: DEFAULTS.maxQueryDepth,
      maxQueryCost: DEFAULTS.maxQueryCost,
      maxAliases: DEFAULTS.maxAliases,
      maxDirectives: DEFAULTS.maxDirectives,
      maxTokens: DEFAULTS.maxTokens,
      maxStatsBuckets: DEFAULTS.maxStatsBuckets,
      rateLimitPerMinute: DEFAULTS.rateLimitPerMinute,
      anonymousRateLimitPerMinute: DEFAULTS.anonymousRateLimitPerMinute,
      ...overrides.limits,
    },
  };
}
