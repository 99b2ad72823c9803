/**
 * The model registry. At most one version is in production: a partial unique index enforces it, and promotion
 * runs in one transaction behind an advisory lock, so concurrent promotions queue instead of failing.
 */
import { AppError, type ModelStage } from "@moodlens/shared";
import type { Prisma } from "./generated/prisma/client";
import { type ModelVersion } from "./generated/prisma/client";
import { isUniqueViolation } from "./errors";
import type { DbClient } from "./types";
import { badInput } from "./validate";

/** Advisory lock key that serialises promotions (any constant unique to this purpose). */
const PROMOTE_LOCK = 47_110_815;
const VERSION_PATTERN = /^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$/;
const json = (value: unknown): Prisma.InputJsonValue => value as Prisma.InputJsonValue;

export interface RegisterModelVersionInput {
  /** e.g. "2026.11.24-1" or a semver; when absent the next "YYYY.MM.DD-N" of today (UTC). */
  version?: string;
  runId?: string | null;
  /** Directory with model.json, weights.bin and metadata.json. */
  path: string;
  /** Initial stage (default development). "production" promotes it (demoting the current one to archived). */
  stage?: ModelStage;
  metrics?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  weightsSha256?: string | null;
  now?: Date;
}

async function nextDailyVersion(prisma: DbClient, now: Date): Promise<string> {
  const day = now.toISOString().slice(0, 10).replaceAll("-", ".");
  const existing = await prisma.modelVersion.findMany({
    where: { version: { startsWith: `${day}-` } },
    select: { version: true },
  });
  const numbers = existing
    .map((row) => Number.parseInt(row.version.slice(day.length + 1), 10))
    .filter(Number.isFinite);
  return `${day}-${Math.max(0, ...numbers) + 1}`;
}

/**
 * Registers a model version. Registering the same version with the same weights again returns the existing row
 * (idempotent); the same version with other weights is a CONFLICT.
 */
export async function registerModelVersion(
  prisma: DbClient,
  input: RegisterModelVersionInput,
): Promise<ModelVersion> {
  const now = input.now ?? new Date();
  if (input.version !== undefined && !VERSION_PATTERN.test(input.version)) {
    throw badInput(`model version "${input.version}" must be 1..64 characters of letters, digits, . _ + -`);
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    const version = input.version ?? (await nextDailyVersion(prisma, now));
    const existing = await prisma.modelVersion.findUnique({ where: { version } });
    if (existing) {
      if (input.version === undefined) continue; // raced with another registration of today: next number
      if (existing.weightsSha256 && input.weightsSha256 && existing.weightsSha256 !== input.weightsSha256) {
        throw new AppError(
          "CONFLICT",
          `model version "${version}" is already registered with other weights`,
          {
            hint: "choose another version string",
          },
        );
      }
      if (input.stage === "production" && existing.stage !== "production")
        return (await promoteModelVersion(prisma, version, { now })).promoted;
      return existing;
    }
    try {
      const created = await prisma.modelVersion.create({
        data: {
          version,
          runId: input.runId ?? null,
          path: input.path,
          stage: input.stage === "production" ? "staging" : (input.stage ?? "development"),
          metrics: json(input.metrics ?? {}),
          metadata: json(input.metadata ?? {}),
          weightsSha256: input.weightsSha256 ?? null,
          createdAt: now,
        },
      });
      if (input.stage === "production") return (await promoteModelVersion(prisma, version, { now })).promoted;
      return created;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Someone registered the same version between our read and write: loop and read it.
    }
  }
  throw new AppError("CONFLICT", "could not allocate a model version number; retry");
}

export async function listModelVersions(
  prisma: DbClient,
  filter: { stage?: ModelStage } = {},
): Promise<ModelVersion[]> {
  return prisma.modelVersion.findMany({
    where: filter.stage ? { stage: filter.stage } : {},
    orderBy: [{ createdAt: "desc" }, { version: "desc" }],
  });
}

export async function getModelVersion(prisma: DbClient, version: string): Promise<ModelVersion | null> {
  return prisma.modelVersion.findUnique({ where: { version } });
}

/** A version registered with exactly these weights (sha256 of weights.bin), or null: finds a model by its bytes. */
export async function findModelVersionByWeights(
  prisma: DbClient,
  weightsSha256: string,
): Promise<ModelVersion | null> {
  return prisma.modelVersion.findFirst({ where: { weightsSha256 } });
}

/** The production version, or null when none was promoted yet. */
export async function getActiveModelVersion(prisma: DbClient): Promise<ModelVersion | null> {
  return prisma.modelVersion.findFirst({ where: { stage: "production" } });
}

export interface PromoteResult {
  promoted: ModelVersion;
  /** The previous production version, now `demoteTo`; null when there was none (or it was this one). */
  demoted: ModelVersion | null;
}

/** Makes `version` the production model; the previous one becomes archived (or staging), in one transaction. */
export async function promoteModelVersion(
  prisma: DbClient,
  version: string,
  options: { demoteTo?: "archived" | "staging"; now?: Date } = {},
): Promise<PromoteResult> {
  const now = options.now ?? new Date();
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${PROMOTE_LOCK})`;
    const target = await tx.modelVersion.findUnique({ where: { version } });
    if (!target)
      throw new AppError("NOT_FOUND", `no model version "${version}"`, {
        hint: "list versions with `npm run trainer -- models list`",
      });
    if (target.stage === "production") return { promoted: target, demoted: null };
    const current = await tx.modelVersion.findFirst({ where: { stage: "production" } });
    const demoted = current
      ? await tx.modelVersion.update({
          where: { id: current.id },
          data: { stage: options.demoteTo ?? "archived" },
        })
      : null;
    const promoted = await tx.modelVersion.update({
      where: { id: target.id },
      data: { stage: "production", promotedAt: now },
    });
    return { promoted, demoted };
  });
}

/** Moves a version to staging/development/archived (production goes through promoteModelVersion). */
export async function setModelStage(
  prisma: DbClient,
  version: string,
  stage: Exclude<ModelStage, "production">,
): Promise<ModelVersion> {
  const target = await prisma.modelVersion.findUnique({ where: { version } });
  if (!target) throw new AppError("NOT_FOUND", `no model version "${version}"`);
  return prisma.modelVersion.update({ where: { id: target.id }, data: { stage } });
}
