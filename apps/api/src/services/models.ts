import { getActiveModelVersion, listModelVersions as listModelVersionsFromDb, promoteModelVersion, toDatabaseError, type ModelVersion } from "@moodlens/db";
import type { ApiContext } from "../context";

async function db<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toDatabaseError(error);
  }
}

export const listModelVersions = (context: ApiContext): Promise<ModelVersion[]> => db(() => listModelVersionsFromDb(context.runtime.db.prisma));

export const getActiveModel = (context: ApiContext): Promise<ModelVersion | null> => db(() => getActiveModelVersion(context.runtime.db.prisma));

/**
 * Marks `version` active (production) in the registry — unknown versions are NOT_FOUND — and switches this
 * instance right away; other instances follow at their next poll (MOODLENS_MODEL_POLL_MS).
 */
export async function promoteModel(context: ApiContext, version: string): Promise<ModelVersion> {
  const { promoted } = await db(() => promoteModelVersion(context.runtime.db.prisma, version));
  await context.runtime.models.refresh({ force: true });
  return promoted;
}
