// @moodlens/db: the only place that talks to the database (client factory, migrations, and the queries).
export { createDb, redactUrl, DEFAULT_POOL_SIZE, type Db, type CreateDbOptions, type DatabaseKind } from "./client";
export { migrate, loadMigrations, diffMigrationsToSchema, type MigrateResult } from "./migrations/migrate";
export { toDatabaseError, withDatabaseErrors, isDatabaseUnavailable, isUniqueViolation } from "./errors";
export { defaultDataDir, defaultPgliteDir, MIGRATIONS_DIR } from "./paths";
export { PrismaClient, Prisma } from "./generated/prisma/client";
export type * from "./generated/prisma/models";
export { Emotion as EmotionEnum, RunStatus as RunStatusEnum, ModelStage as ModelStageEnum } from "./generated/prisma/enums";
