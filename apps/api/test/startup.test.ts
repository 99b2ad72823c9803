import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@moodlens/db/testing";
import { AppError } from "@moodlens/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliDebug, loadConfig } from "../src/env";
import type { StartedApiServer } from "../src/server";
import { createKey, faceFreeImage, firstErrorCode, gql, startTestApi, toBase64 } from "./helpers";

describe("configuration from the environment", () => {
  it("applies defaults and parses every variable once", () => {
    const config = loadConfig({
      MOODLENS_MAX_BATCH: "4",
      MOODLENS_STORE_IMAGES: "true",
      MOODLENS_AUTH: "optional",
      MOODLENS_CORS_ORIGINS: "http://a.test, http://b.test",
    });
    expect(config).toMatchObject({
      port: 4000,
      auth: "optional",
      storeImages: true,
      minGroupSize: 5,
      corsOrigins: ["http://a.test", "http://b.test"],
    });
    expect(config.limits.maxBatchSize).toBe(4);
    expect(config.dataDir).toBeUndefined();
  });

  it("keeps the embedded database in MOODLENS_DATA_DIR/pglite, like every other process", () => {
    expect(loadConfig({ MOODLENS_DATA_DIR: "/srv/moodlens" }).dataDir).toBe(join("/srv/moodlens", "pglite"));
  });

  it("reads MOODLENS_DEBUG for runCli on its own, even when other variables are invalid", () => {
    expect(cliDebug({ MOODLENS_DEBUG: "1", PORT: "eighty" })).toBe(true);
    expect(cliDebug({ PORT: "eighty" })).toBe(false);
  });

  it("reports every invalid variable at once as CONFIG_INVALID", () => {
    let error: unknown;
    try {
      loadConfig({ PORT: "eighty", MOODLENS_AUTH: "sometimes", MOODLENS_STORE_IMAGES: "maybe" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("CONFIG_INVALID");
    for (const name of ["PORT", "MOODLENS_AUTH", "MOODLENS_STORE_IMAGES"])
      expect((error as AppError).message).toContain(name);
  });
});

describe("an API without a trained model", () => {
  let test: TestDatabase;
  let api: StartedApiServer;
  let key: string;

  beforeAll(async () => {
    test = await createTestDatabase("pglite");
    api = await startTestApi(test.db, { modelDir: mkdtempSync(join(tmpdir(), "moodlens-api-no-model-")) });
    key = (await createKey(test.db, ["analyze", "read:stats"])).key;
  });
  afterAll(async () => {
    await api?.close();
    await test?.drop();
  });

  it("starts, says why it is not ready, answers analyze with MODEL_NOT_TRAINED and serves everything else", async () => {
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      ready: false,
      database: { reachable: true },
      model: { loaded: false, code: "MODEL_NOT_TRAINED" },
    });
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);

    const analysis = await gql(
      api,
      "mutation($i: AnalyzeImageInput!) { analyzeImage(input: $i) { id } }",
      { i: { image: toBase64(await faceFreeImage()) } },
      key,
    );
    expect(firstErrorCode(analysis)).toBe("MODEL_NOT_TRAINED");
    expect(analysis.errors![0]!.message).toMatch(/no trained model/);
    expect(await test.db.prisma.analysis.count()).toBe(0);

    const stats = await gql<{
      emotionStats: { totalFaces: number };
      health: { modelLoaded: boolean; modelError: string };
    }>(api, "{ emotionStats { totalFaces } health { modelLoaded modelError } }", {}, key);
    expect(stats.errors).toBeUndefined();
    expect(stats.data!.emotionStats.totalFaces).toBe(0);
    expect(stats.data!.health.modelLoaded).toBe(false);
    expect(stats.data!.health.modelError).toMatch(/no trained model/);
  });

  it("names the port and the variable to change when the port is taken", async () => {
    const port = Number(new URL(api.url).port);
    const error = await startTestApi(test.db, {
      port,
      modelDir: mkdtempSync(join(tmpdir(), "moodlens-api-no-model-")),
    }).then(
      (second) => second.close().then(() => undefined),
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).toLine()).toMatch(new RegExp(`port ${port} .*in use.*PORT`));
  });
});
