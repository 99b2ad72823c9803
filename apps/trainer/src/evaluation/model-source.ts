import { existsSync } from "node:fs";
import { join } from "node:path";
import { getActiveModelVersion } from "@moodlens/db";
import { resolveServedModel } from "@moodlens/model/served-model";
import { AppError } from "@moodlens/shared";
import { env } from "../env";
import { withDatabase } from "../records/database";
import { resolveUserPath } from "../util/paths";

export interface ModelSource {
  path: string;
  /** Registry version when the model came from the database. */
  version?: string;
  why: string;
}

/** Accepts a model folder, or a run folder (its model/ subfolder). */
export function modelDirectoryFrom(path: string): string {
  const absolute = resolveUserPath(path);
  if (existsSync(join(absolute, "metadata.json"))) return absolute;
  if (existsSync(join(absolute, "model", "metadata.json"))) return join(absolute, "model");
  throw new AppError("MODEL_NOT_TRAINED", `no model files in ${absolute}`, {
    hint: "pass a folder with model.json + weights.bin + metadata.json",
  });
}

/**
 * The model the API would serve, by the one served-model rule (@moodlens/model's resolveServedModel): the
 * production version in the registry; else MOODLENS_MODEL_DIR; else the shipped models/default. A database that
 * cannot be reached falls through to the files, as the API does at start.
 */
export async function servedModel(log: (line: string) => void): Promise<ModelSource> {
  const configuredDir = env().MOODLENS_MODEL_DIR;
  const served = await resolveServedModel({
    activeVersion: () => withDatabase((db) => getActiveModelVersion(db.prisma)),
    configured: configuredDir
      ? { dir: resolveUserPath(configuredDir), why: "MOODLENS_MODEL_DIR" }
      : undefined,
    onRegistryError: (error) => {
      log(
        `registry not reachable (${error instanceof Error ? error.message.split("\n")[0] : String(error)}); using the model files`,
      );
      return undefined;
    },
  });
  return {
    path: served.path,
    ...(served.registryVersion ? { version: served.registryVersion } : {}),
    why: served.why,
  };
}
