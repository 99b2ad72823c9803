import { fileURLToPath } from "node:url";

/**
 * The one rule for "which model is served, under which version name", shared by the API (what it loads), the
 * trainer (what `evaluate` measures by default) and the seed (what it registers). Light on purpose: no tfjs and
 * no database import, so @moodlens/db's seed can use it; the registry lookup is passed in.
 */

/** The shipped model: <repo>/models/default (this file is packages/model/src/artifacts/served-model.ts). */
export const DEFAULT_MODEL_DIR = fileURLToPath(new URL("../../../../models/default", import.meta.url));

/** The registry's production version, as `getActiveModelVersion` returns it. */
export interface RegisteredVersion {
  version: string;
  path: string;
}

export interface ServedModel {
  /** Model directory to load. */
  path: string;
  /** The registry's name for it; undefined when it comes from files the registry does not know. */
  registryVersion: string | undefined;
  /** Why this one, for logs ("production model version v3", "MOODLENS_MODEL_DIR", ...). */
  why: string;
}

export interface ServedModelOptions {
  /** The production version in the registry (null: none registered). May throw when the database is away. */
  activeVersion: () => Promise<RegisteredVersion | null>;
  /** The operator's model directory, used when the registry names none, and what to call it in logs. */
  configured?: { dir: string; why: string } | undefined;
  /**
   * The registry could not be read: return the model to keep serving, or undefined to fall through to the files.
   * Without it the error propagates.
   */
  onRegistryError?: (error: unknown) => ServedModel | undefined;
}

/** The model served without a registry entry: the configured directory, else the shipped models/default. */
export function unregisteredModel(configured?: { dir: string; why: string }): ServedModel {
  if (configured) return { path: configured.dir, registryVersion: undefined, why: configured.why };
  return {
    path: DEFAULT_MODEL_DIR,
    registryVersion: undefined,
    why: "the shipped models/default (no production version registered)",
  };
}

/** Which model is served: the registry's production version; else the configured directory; else models/default. */
export async function resolveServedModel(options: ServedModelOptions): Promise<ServedModel> {
  let active: RegisteredVersion | null;
  try {
    active = await options.activeVersion();
  } catch (error) {
    if (!options.onRegistryError) throw error;
    return options.onRegistryError(error) ?? unregisteredModel(options.configured);
  }
  if (active)
    return {
      path: active.path,
      registryVersion: active.version,
      why: `production model version ${active.version}`,
    };
  return unregisteredModel(options.configured);
}

/**
 * The version name analyses are recorded under: the registry's, else "default-<first 12 hex of the weights' sha256>"
 * (what the seed registers an unregistered models/default under, so counts line up before and after seeding).
 */
export function servedVersionName(registryVersion: string | undefined, weightsSha256: string): string {
  return registryVersion ?? `default-${weightsSha256.slice(0, 12)}`;
}
