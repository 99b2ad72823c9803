import {
  getActiveModelVersion,
  getModelVersion,
  listModelVersions as listModelVersionsFromDb,
  promoteModelVersion,
  toDatabaseError,
  type ModelVersion,
} from "@moodlens/db";
import { AppError, isAppError } from "@moodlens/shared";
import type { ApiContext } from "../context";

export type ModelVersionView = ModelVersion;

async function db<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toDatabaseError(error);
  }
}

export const listModelVersions = (context: ApiContext): Promise<ModelVersion[]> =>
  db(() => listModelVersionsFromDb(context.runtime.db.prisma));

/** What this instance serves right now (the model host's state; no database read). */
export interface ServedModelView {
  loaded: boolean;
  version: string | null;
  backend: string | null;
  path: string | null;
  error: string | null;
  loadedAt: Date | null;
}

export function getServedModel(context: ApiContext): ServedModelView {
  const state = context.runtime.models.state();
  return {
    loaded: state.loaded,
    version: state.version,
    backend: state.backend,
    path: state.path,
    error: state.error?.toLine() ?? null,
    loadedAt: state.loadedAt,
  };
}

export const getActiveModel = (context: ApiContext): Promise<ModelVersion | null> =>
  db(() => getActiveModelVersion(context.runtime.db.prisma));

/**
 * Marks `version` active (production) in the registry and switches this instance right away; other instances
 * follow at their next poll (MOODLENS_MODEL_POLL_MS). The model is loaded first: an unknown version is NOT_FOUND,
 * a version whose files are missing or broken (MODEL_NOT_TRAINED / MODEL_INVALID) is refused and nothing changes.
 */
export async function promoteModel(context: ApiContext, version: string): Promise<ModelVersion> {
  const { prisma } = context.runtime.db;
  const target = await db(() => getModelVersion(prisma, version));
  if (!target)
    throw new AppError("NOT_FOUND", `no model version "${version}"`, {
      hint: "see modelVersions for the registered versions",
    });
  try {
    return await context.runtime.models.switchTo({ path: target.path, version: target.version }, async () => {
      const { promoted } = await db(() => promoteModelVersion(prisma, version));
      return promoted;
    });
  } catch (error) {
    // The admin needs the reason (missing files, failed hash check); it is about their input, not a server fault.
    if (isAppError(error) && (error.code === "MODEL_NOT_TRAINED" || error.code === "MODEL_INVALID")) {
      throw new AppError(
        "BAD_USER_INPUT",
        `model version "${version}" cannot be served, so it was not promoted: ${error.message}`,
        {
          details: { version, reason: error.code },
        },
      );
    }
    throw error;
  }
}
