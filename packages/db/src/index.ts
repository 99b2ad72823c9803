// @moodlens/db: the only place that talks to the database: client factory, migrations, and the queries.
export {
  createDb,
  databaseEngine,
  redactUrl,
  DEFAULT_POOL_SIZE,
  type Db,
  type CreateDbOptions,
  type DatabaseKind,
} from "./client";
export { migrate, loadMigrations, diffMigrationsToSchema, type MigrateResult } from "./migrations/migrate";
export { toDatabaseError, withDatabaseErrors, isDatabaseUnavailable, isUniqueViolation } from "./errors";
export { defaultDataDir, defaultPgliteDir, MIGRATIONS_DIR } from "./paths";
export type { DbClient, Page, PageArgs } from "./types";
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./types";
export { label as checkLabel, MAX_LABEL_LENGTH } from "./validate";

export * from "./analyses";
export * from "./lookups";
export { pingDatabase } from "./ping";
export * from "./stats";
export * from "./videos";
export * from "./live";
export * from "./api-keys";
export * from "./experiments";
export * from "./models";
export * from "./seed";
export { EMBEDDED_SERVER_POOL_SIZE, embeddedServerFile } from "./paths";
export {
  serveEmbeddedDatabase,
  type EmbeddedDatabaseServer,
  type ServeEmbeddedDatabaseOptions,
} from "./embedded-server";

export { PrismaClient, Prisma } from "./generated/prisma/client";
export type {
  Analysis,
  Face,
  ApiKey,
  Experiment,
  Run,
  EpochMetric,
  Evaluation,
  ModelVersion,
  HourlyEmotionRollup,
  RateLimitWindow,
  User,
  Session,
  AnalysisKind,
  VideoJobStatus,
  VideoTrack,
  VideoTimelineSecond,
} from "./generated/prisma/client";
export * from "./users";
