import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { DEFAULT_MODEL_DIR, resolveServedModel, servedVersionName } from "../src/artifacts/served-model";

const registered = { version: "v7", path: "/models/v7" };
const configured = { dir: "/operator/model", why: "MOODLENS_MODEL_DIR" };

describe("the served-model rule", () => {
  it("serves the registry's production version first", async () => {
    const served = await resolveServedModel({ activeVersion: async () => registered, configured });
    expect(served).toEqual({ path: "/models/v7", registryVersion: "v7", why: "production model version v7" });
  });

  it("falls back to the configured directory, then to the shipped models/default", async () => {
    expect(await resolveServedModel({ activeVersion: async () => null, configured })).toMatchObject({
      path: configured.dir,
      registryVersion: undefined,
      why: "MOODLENS_MODEL_DIR",
    });
    expect((await resolveServedModel({ activeVersion: async () => null })).path).toBe(DEFAULT_MODEL_DIR);
    expect(DEFAULT_MODEL_DIR).toBe(join(import.meta.dirname, "..", "..", "..", "models", "default"));
  });

  it("lets the caller decide when the registry is away, and rethrows without a decision", async () => {
    const away = async () => {
      throw new Error("connection refused");
    };
    const kept = { path: "/models/v6", registryVersion: "v6", why: "kept" };
    expect(await resolveServedModel({ activeVersion: away, onRegistryError: () => kept })).toBe(kept);
    expect(
      (await resolveServedModel({ activeVersion: away, configured, onRegistryError: () => undefined })).path,
    ).toBe(configured.dir);
    await expect(resolveServedModel({ activeVersion: away })).rejects.toThrow("connection refused");
  });

  it("names an unregistered model default-<sha12>, a registered one by its registry name", () => {
    const sha = "0123456789abcdef".repeat(4);
    expect(servedVersionName(undefined, sha)).toBe("default-0123456789ab");
    expect(servedVersionName("v7", sha)).toBe("v7");
  });
});
