import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createRun,
  getStoredImage,
  recordEpoch,
  recordEvaluation,
  registerModelVersion,
  revokeApiKey,
} from "@moodlens/db";
import { describeEachDatabase } from "@moodlens/db/testing";
import { EMOTIONS, type Emotion } from "@moodlens/shared";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createContext } from "../src/context";
import type { StartedApiServer } from "../src/server";
import {
  GROUP_PHOTO_BOXES,
  createKey,
  faceFreeImage,
  firstErrorCode,
  gql,
  groupPhoto,
  iou,
  largeImage,
  randomModelDir,
  startTestApi,
  toBase64,
} from "./helpers";

const ANALYZE = /* GraphQL */ `
  mutation Analyze($input: AnalyzeImageInput!) {
    analyzeImage(input: $input) {
      id
      modelVersion
      backend
      stored
      deduplicated
      faceCount
      skipped
      clientRequestId
      source
      campaign
      capturedAt
      image {
        width
        height
        format
        bytes
      }
      timings {
        decodeMs
        detectMs
        classifyMs
        explainMs
        totalMs
      }
      faces {
        index
        detectionScore
        dominantEmotion
        valence
        saliency
        box {
          x
          y
          width
          height
        }
        emotions {
          emotion
          probability
        }
        landmarks {
          x
          y
        }
      }
    }
  }
`;

interface AnalysisJson {
  id: string;
  modelVersion: string;
  backend: string;
  stored: boolean;
  deduplicated: boolean;
  faceCount: number;
  skipped: number;
  clientRequestId: string | null;
  source: string;
  image: { width: number; height: number; format: string; bytes: number };
  timings: { totalMs: number; detectMs: number } | null;
  faces: {
    index: number;
    detectionScore: number;
    dominantEmotion: string;
    valence: number;
    saliency: string | null;
    box: { x: number; y: number; width: number; height: number };
    emotions: { emotion: string; probability: number }[];
  }[];
}

const LIMITS = {
  maxBatchSize: 3,
  maxImagePixels: 3_000_000,
  maxImageBytes: 1_500_000,
  maxBodyBytes: 2_500_000,
  maxQueryDepth: 8,
  maxQueryCost: 5_000,
};

describeEachDatabase("GraphQL API", (database, kind) => {
  let api: StartedApiServer;
  const keys: Record<string, string> = {};
  let photo: Buffer;

  beforeAll(async () => {
    const { db } = database();
    api = await startTestApi(db, { modelDir: await randomModelDir(), limits: LIMITS });
    photo = groupPhoto();
    const make = async (name: string, ...args: Parameters<typeof createKey>[1][]) => {
      keys[name] = (await createKey(db, args[0]!, { name })).key;
    };
    await make("analyze", ["analyze"]);
    await make("analyze2", ["analyze"]);
    await make("stats", ["read:stats"]);
    await make("experiments", ["read:experiments"]);
    await make("admin", ["admin"]);
    keys.limited = (await createKey(db, ["read:stats"], { name: "limited", rateLimitPerMinute: 2 })).key;
    keys.expired = (
      await createKey(db, ["read:stats"], { name: "expired", expiresAt: new Date(Date.now() - 60_000) })
    ).key;
    const revoked = await createKey(db, ["read:stats"], { name: "revoked" });
    await revokeApiKey(db.prisma, revoked.record.id);
    keys.revoked = revoked.key;
  });
  afterAll(async () => {
    await api?.close();
  });

  const analyze = (input: Record<string, unknown>, key = keys.analyze) =>
    gql<{ analyzeImage: AnalysisJson }>(api, ANALYZE, { input }, key);
  const counts = async () => {
    const { prisma } = database().db;
    return { analyses: await prisma.analysis.count(), faces: await prisma.face.count() };
  };

  it("reports health without a key, over HTTP and through executeOperation", async () => {
    const health = await gql<{
      health: {
        status: string;
        modelLoaded: boolean;
        databaseReachable: boolean;
        databaseKind: string;
        backend: string;
        limits: { maxBatchSize: number };
      };
    }>(
      api,
      "{ health { status modelLoaded databaseReachable databaseKind backend limits { maxBatchSize } } }",
    );
    expect(health.status).toBe(200);
    expect(health.data?.health).toMatchObject({
      status: "ok",
      modelLoaded: true,
      databaseReachable: true,
      databaseKind: kind,
      limits: { maxBatchSize: 3 },
    });
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, model: { loaded: true } });

    const contextValue = await createContext(api.runtime, { authorization: `Bearer ${keys.stats}` });
    const result = await api.apollo.executeOperation<{ me: { name: string; scopes: string[] } }>(
      { query: "{ me { name scopes } viewer { keyId } }" },
      { contextValue },
    );
    expect(result.body.kind).toBe("single");
    if (result.body.kind !== "single") return;
    expect(result.body.singleResult.errors).toBeUndefined();
    expect(result.body.singleResult.data?.me).toEqual({ name: "stats", scopes: ["read:stats"] });
  });

  it("serves a small local landing page and keeps CSRF prevention on", async () => {
    const page = await fetch(api.graphqlUrl, { headers: { accept: "text/html" } });
    const html = await page.text();
    expect(html).toContain("Moodlens GraphQL API");
    expect(html).not.toMatch(/<script[^>]+src=/i);
    const simple = await fetch(api.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ query: "{ health { status } }" }),
    });
    expect(simple.status).toBe(400);
    expect(await simple.text()).toMatch(/Cross-Site Request Forgery/);
  });

  it("analyses a group photo: boxes in original pixels, seven probabilities per face, stored in one go", async () => {
    const before = await counts();
    const response = await analyze({
      image: toBase64(photo),
      source: "web",
      campaign: "spring",
      clientRequestId: "r-1",
    });
    expect(response.errors).toBeUndefined();
    const analysis = response.data!.analyzeImage;
    expect(analysis).toMatchObject({
      stored: true,
      deduplicated: false,
      clientRequestId: "r-1",
      source: "web",
      image: { width: 500, height: 375, format: "jpeg" },
    });
    expect(analysis.modelVersion).toMatch(/^default-[0-9a-f]{12}$/);
    // What actually ran, stage by stage (the classifier is onnxruntime when the model folder has model.onnx).
    expect(analysis.backend).toMatch(
      /^detector (onnxruntime|tfjs \w+), classifier (onnxruntime|tfjs \w+), saliency tfjs (wasm|cpu|tensorflow)/,
    );
    expect(analysis.timings!.totalMs).toBeGreaterThan(0);
    expect(analysis.faceCount).toBe(analysis.faces.length);
    // The detector finds the hand-boxed faces of this photo (boxes in the photo's own pixel space).
    const matched = GROUP_PHOTO_BOXES.filter((truth) =>
      analysis.faces.some((face) => iou(face.box, truth) > 0.3),
    );
    expect(matched.length).toBeGreaterThanOrEqual(2);
    for (const face of analysis.faces) {
      expect(face.box.x).toBeGreaterThanOrEqual(-1);
      expect(face.box.x + face.box.width).toBeLessThanOrEqual(501);
      expect(face.emotions.map((entry) => entry.emotion)).toEqual(
        EMOTIONS.map((emotion) => emotion.toUpperCase()),
      );
      expect(face.emotions.reduce((sum, entry) => sum + entry.probability, 0)).toBeCloseTo(1, 3);
      const top = face.emotions.reduce((best, entry) =>
        entry.probability > best.probability ? entry : best,
      );
      expect(face.dominantEmotion).toBe(top.emotion);
      expect(Math.abs(face.valence)).toBeLessThanOrEqual(1);
      expect(face.saliency).toBeNull();
    }
    const after = await counts();
    expect(after.analyses - before.analyses).toBe(1);
    expect(after.faces - before.faces).toBe(analysis.faces.length);
    const stored = await database().db.prisma.face.findMany({
      where: { analysisId: analysis.id },
      orderBy: { index: "asc" },
    });
    expect(stored.map((face) => face.boxX)).toEqual(analysis.faces.map((face) => face.box.x));
  });

  it("returns the stored analysis for a repeated clientRequestId from the same key, without counting twice", async () => {
    const before = await counts();
    const first = (await analyze({ image: toBase64(photo), clientRequestId: "r-1" })).data!.analyzeImage;
    expect(first.deduplicated).toBe(true);
    expect(first.source).toBe("web"); // what the first request stored
    const again = (await analyze({ image: toBase64(await faceFreeImage()), clientRequestId: "r-1" })).data!
      .analyzeImage;
    expect(again.id).toBe(first.id);
    expect(await counts()).toEqual(before);
    // The same id from ANOTHER key is another request.
    const other = (
      await analyze({ image: toBase64(await faceFreeImage()), clientRequestId: "r-1" }, keys.analyze2)
    ).data!.analyzeImage;
    expect(other.id).not.toBe(first.id);
    expect((await counts()).analyses).toBe(before.analyses + 1);
  });

  it("accepts data URLs, treats 0 faces as a valid result, and stores nothing with store: false", async () => {
    const before = await counts();
    const empty = await analyze({
      image: `data:image/png;base64,${toBase64(await faceFreeImage())}`,
      source: "kiosk",
    });
    expect(empty.errors).toBeUndefined();
    expect(empty.data!.analyzeImage).toMatchObject({ faceCount: 0, faces: [], stored: true });
    const explained = await analyze({ image: toBase64(photo), store: false, explain: true });
    expect(explained.errors).toBeUndefined();
    expect(explained.data!.analyzeImage.stored).toBe(false);
    expect(explained.data!.analyzeImage.faces.length).toBeGreaterThan(0);
    for (const face of explained.data!.analyzeImage.faces)
      expect(face.saliency).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    const after = await counts();
    expect(after).toEqual({ analyses: before.analyses + 1, faces: before.faces });
  });

  it("rejects bad images with typed errors and writes nothing", async () => {
    const before = await counts();
    expect(firstErrorCode(await analyze({ image: "not base64 at all!" }))).toBe("BAD_USER_INPUT");
    expect(firstErrorCode(await analyze({ image: "" }))).toBe("BAD_USER_INPUT");
    expect(
      firstErrorCode(
        await analyze({ image: Buffer.from("just some text, not an image").toString("base64") }),
      ),
    ).toBe("UNSUPPORTED_IMAGE");
    const tooManyPixels = await analyze({ image: toBase64(await largeImage(2000, 1600)) });
    expect(firstErrorCode(tooManyPixels)).toBe("PAYLOAD_TOO_LARGE");
    const tooManyBytes = await analyze({ image: Buffer.alloc(1_600_000, 7).toString("base64") });
    expect(firstErrorCode(tooManyBytes)).toBe("PAYLOAD_TOO_LARGE");
    const body = await gql(api, ANALYZE, { input: { image: "A".repeat(2_600_000) } }, keys.analyze);
    expect(body.status).toBe(413);
    expect(firstErrorCode(body)).toBe("PAYLOAD_TOO_LARGE");
    expect(await counts()).toEqual(before);
  });

  it("rejects malformed GraphQL, wrong variable types, too deep and too costly queries", async () => {
    const parse = await gql(api, "{ health { status ", {}, keys.stats);
    expect(parse.status).toBe(400);
    expect(firstErrorCode(parse)).toBe("GRAPHQL_PARSE_FAILED");
    const types = await gql(
      api,
      "query($first: Int) { analyses(first: $first) { totalCount } }",
      { first: "ten" },
      keys.stats,
    );
    expect(types.status).toBe(400);
    expect(firstErrorCode(types)).toBe("BAD_USER_INPUT");
    const date = await gql(
      api,
      "query($f: AnalysisFilter) { emotionStats(filter: $f) { totalFaces } }",
      { f: { from: "yesterday" } },
      keys.stats,
    );
    expect(firstErrorCode(date)).toBe("BAD_USER_INPUT");
    const deep = await gql(
      api,
      "{ modelVersions { run { experiment { runs { experiment { runs { experiment { runs { experiment { id } } } } } } } } } }",
      {},
      keys.experiments,
    );
    expect(firstErrorCode(deep)).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(deep.errors![0]!.message).toMatch(/depth/i);
    const costly = await gql(
      api,
      "{ analyses(first: 100) { nodes { faces { emotions { emotion probability } box { x y width height } } } edges { node { faces { emotions { emotion probability } } } } } }",
      {},
      keys.stats,
    );
    expect(firstErrorCode(costly)).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(costly.errors![0]!.message).toMatch(/cost/i);
    expect((await gql(api, "{ health { status } }")).status).toBe(200);
  });

  it("analyses a batch with a typed result per item and refuses batches over the maximum", async () => {
    const before = await counts();
    const BATCH = /* GraphQL */ `
      mutation Batch($inputs: [AnalyzeImageInput!]!) {
        analyzeImages(inputs: $inputs) {
          succeeded
          failed
          results {
            __typename
            ... on AnalyzeImageSuccess {
              index
              analysis {
                id
                faceCount
              }
            }
            ... on AnalyzeImageError {
              index
              code
              message
              clientRequestId
            }
          }
        }
      }
    `;
    const empty = toBase64(await faceFreeImage());
    const batch = await gql<{
      analyzeImages: { succeeded: number; failed: number; results: Record<string, unknown>[] };
    }>(
      api,
      BATCH,
      {
        inputs: [
          { image: empty, source: "batch" },
          { image: "%%%", clientRequestId: "bad-1" },
          { image: Buffer.from("text").toString("base64") },
        ],
      },
      keys.analyze,
    );
    expect(batch.errors).toBeUndefined();
    const payload = batch.data!.analyzeImages;
    expect(payload).toMatchObject({ succeeded: 1, failed: 2 });
    expect(payload.results[0]).toMatchObject({
      __typename: "AnalyzeImageSuccess",
      index: 0,
      analysis: { faceCount: 0 },
    });
    expect(payload.results[1]).toMatchObject({
      __typename: "AnalyzeImageError",
      index: 1,
      code: "BAD_USER_INPUT",
      clientRequestId: "bad-1",
    });
    expect(payload.results[2]).toMatchObject({
      __typename: "AnalyzeImageError",
      index: 2,
      code: "UNSUPPORTED_IMAGE",
    });
    expect((await counts()).analyses).toBe(before.analyses + 1);

    const over = await gql(
      api,
      BATCH,
      { inputs: Array.from({ length: 4 }, () => ({ image: empty })) },
      keys.analyze,
    );
    expect(firstErrorCode(over)).toBe("PAYLOAD_TOO_LARGE");
    expect((await counts()).analyses).toBe(before.analyses + 1);
  });

  it("enforces keys and scopes: missing, malformed, revoked, expired, wrong scope", async () => {
    const image = toBase64(await faceFreeImage());
    expect(firstErrorCode(await gql(api, ANALYZE, { input: { image } }))).toBe("UNAUTHENTICATED");
    expect(firstErrorCode(await analyze({ image }, keys.stats))).toBe("FORBIDDEN");
    expect(firstErrorCode(await gql(api, "{ experiments { id } }", {}, keys.stats))).toBe("FORBIDDEN");
    expect(firstErrorCode(await gql(api, "{ emotionStats { totalFaces } }", {}, keys.experiments))).toBe(
      "FORBIDDEN",
    );
    for (const key of [
      keys.revoked,
      keys.expired,
      "ml_abcdefgh_not-a-real-key-000000000000000000000000000",
    ]) {
      const response = await gql(api, "{ me { name } }", {}, key);
      expect(response.status).toBe(401);
      expect(firstErrorCode(response)).toBe("UNAUTHENTICATED");
    }
    const revoked = await gql(api, "{ me { name } }", {}, keys.revoked);
    expect(revoked.errors![0]!.message).toMatch(/revoked/);
    const malformed = await fetch(api.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Basic abc" },
      body: '{"query":"{ me { name } }"}',
    });
    expect(malformed.status).toBe(401);
    // admin implies the other scopes
    expect((await gql(api, "{ emotionStats { totalFaces } }", {}, keys.admin)).errors).toBeUndefined();
  });

  it("rate-limits per key (counted in the database) with 429 and Retry-After", async () => {
    const query = "{ me { name } }";
    expect((await gql(api, query, {}, keys.limited)).status).toBe(200);
    expect((await gql(api, query, {}, keys.limited)).status).toBe(200);
    const limited = await gql(api, query, {}, keys.limited);
    expect(limited.status).toBe(429);
    expect(firstErrorCode(limited)).toBe("RATE_LIMITED");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // Other keys are not affected.
    expect((await gql(api, query, {}, keys.stats)).status).toBe(200);
  });

  it("emotionStats, breakdowns and the analyses list equal a direct count of the stored faces", async () => {
    const { prisma } = database().db;
    const from = new Date(Date.now() - 2 * 3_600_000);
    const to = new Date(Date.now() + 3_600_000);
    from.setUTCMinutes(0, 0, 0);
    to.setUTCMinutes(0, 0, 0);
    const filter = { from: from.toISOString(), to: to.toISOString() };
    const stats = await gql<{
      emotionStats: {
        totalFaces: number;
        totalAnalyses: number;
        suppressed: number;
        buckets: {
          faces: number;
          analyses: number;
          counts: { emotion: string; count: number; share: number }[];
        }[];
        counts: { emotion: string; count: number }[];
      };
    }>(
      api,
      "query($f: AnalysisFilter) { emotionStats(filter: $f, bucket: HOUR) { totalFaces totalAnalyses suppressed buckets { faces analyses counts { emotion count share } } counts { emotion count } } }",
      { f: filter },
      keys.stats,
    );
    expect(stats.errors).toBeUndefined();
    const result = stats.data!.emotionStats;
    const faces = await prisma.face.findMany({
      where: { capturedAt: { gte: from, lt: to } },
      select: { dominantEmotion: true, source: true },
    });
    expect(faces.length).toBeGreaterThan(0);
    expect(result.totalFaces).toBe(faces.length);
    expect(result.totalAnalyses).toBe(
      await prisma.analysis.count({ where: { capturedAt: { gte: from, lt: to } } }),
    );
    expect(result.suppressed).toBe(0);
    expect(result.buckets.length).toBe(3);
    expect(result.buckets.reduce((sum, bucket) => sum + bucket.faces, 0)).toBe(faces.length);
    expect(result.buckets.reduce((sum, bucket) => sum + bucket.analyses, 0)).toBe(result.totalAnalyses);
    for (const emotion of EMOTIONS) {
      const direct = faces.filter((face) => face.dominantEmotion === emotion).length;
      expect(result.counts.find((entry) => entry.emotion === emotion.toUpperCase())!.count).toBe(direct);
    }
    const breakdown = await gql<{
      emotionBreakdown: { totalFaces: number; groups: { key: string; faces: number; analyses: number }[] };
    }>(
      api,
      "query($f: AnalysisFilter) { emotionBreakdown(filter: $f, by: SOURCE) { totalFaces groups { key faces analyses } } }",
      { f: filter },
      keys.stats,
    );
    expect(breakdown.errors).toBeUndefined();
    for (const group of breakdown.data!.emotionBreakdown.groups)
      expect(group.faces).toBe(faces.filter((face) => face.source === group.key).length);

    // Cursor pages walk every analysis exactly once.
    const seen: string[] = [];
    let after: string | null = null;
    let total = 0;
    for (let page = 0; page < 20; page++) {
      const response: Awaited<
        ReturnType<
          typeof gql<{
            analyses: {
              totalCount: number;
              pageInfo: { hasNextPage: boolean; endCursor: string | null };
              edges: {
                cursor: string;
                node: { id: string; faceCount: number; faces: { index: number }[] };
              }[];
            };
          }>
        >
      > = await gql(
        api,
        "query($after: String) { analyses(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id faceCount faces { index } } } } }",
        { after },
        keys.stats,
      );
      expect(response.errors).toBeUndefined();
      const connection = response.data!.analyses;
      total = connection.totalCount;
      for (const edge of connection.edges) {
        seen.push(edge.node.id);
        expect(edge.node.faces.length).toBe(edge.node.faceCount);
      }
      if (!connection.pageInfo.hasNextPage) break;
      expect(connection.edges.at(-1)!.cursor).toBe(connection.pageInfo.endCursor);
      after = connection.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(total);
    expect(total).toBe(await prisma.analysis.count());

    const sources = await gql<{ sources: { name: string; faces: number; analyses: number }[] }>(
      api,
      "{ sources { name faces analyses } }",
      {},
      keys.stats,
    );
    const web = sources.data!.sources.find((source) => source.name === "web")!;
    expect(web.faces).toBe(await prisma.face.count({ where: { source: "web" } }));
    expect(web.analyses).toBe(await prisma.analysis.count({ where: { source: "web" } }));
  });

  it("keeps uploaded images only when the operator enabled it", async () => {
    const { prisma } = database().db;
    const image = await faceFreeImage();
    const withoutStorage = (await analyze({ image: toBase64(image) })).data!.analyzeImage;
    expect(await getStoredImage(prisma, withoutStorage.id)).toBeNull();
    const storing = await startTestApi(database().db, {
      modelDir: await randomModelDir(),
      storeImages: true,
    });
    try {
      const stored = (
        await gql<{ analyzeImage: AnalysisJson }>(
          storing,
          ANALYZE,
          { input: { image: toBase64(image) } },
          keys.analyze,
        )
      ).data!.analyzeImage;
      const kept = await getStoredImage(prisma, stored.id);
      expect(kept?.mimeType).toBe("image/png");
      expect(Buffer.from(kept!.bytes).equals(image)).toBe(true);
    } finally {
      await storing.close();
    }
  });

  it("hides groups smaller than the minimum group size", async () => {
    const strict = await startTestApi(database().db, {
      modelDir: await randomModelDir(),
      minGroupSize: 1_000_000,
    });
    try {
      const response = await gql<{
        emotionStats: {
          totalFaces: number;
          suppressed: number;
          buckets: { faces: number; suppressed: boolean; analyses: number | null }[];
        };
      }>(
        strict,
        "{ emotionStats(bucket: MONTH) { totalFaces suppressed buckets { faces suppressed analyses } } }",
        {},
        keys.stats,
      );
      expect(response.errors).toBeUndefined();
      const stats = response.data!.emotionStats;
      expect(stats.totalFaces).toBe(0);
      expect(stats.suppressed).toBeGreaterThan(0);
      for (const bucket of stats.buckets.filter((entry) => entry.suppressed))
        expect(bucket).toEqual({ faces: 0, suppressed: true, analyses: null });
    } finally {
      await strict.close();
    }
  });

  it("serves experiments, runs with epochs and evaluations, and run comparisons", async () => {
    const { prisma } = database().db;
    const a = await createRun(prisma, {
      experiment: { name: "api-test" },
      name: "small",
      params: { learningRate: 0.001, batchSize: 64 },
      architecture: "compact",
      status: "completed",
    });
    const b = await createRun(prisma, {
      experiment: { name: "api-test" },
      name: "large",
      params: { learningRate: 0.01, batchSize: 64 },
      architecture: "deep",
      status: "completed",
    });
    for (const [run, accuracy] of [
      [a, 0.4],
      [b, 0.55],
    ] as const) {
      for (let epoch = 1; epoch <= 2; epoch++) {
        await recordEpoch(prisma, run.id, {
          epoch,
          loss: 1.5 / epoch,
          accuracy: accuracy - 0.1 / epoch,
          valLoss: 1.6 / epoch,
          valAccuracy: accuracy - 0.05 / epoch,
          learningRate: 0.001,
          seconds: 10,
          imagesPerSec: 100,
        });
      }
    }
    const perClass = Object.fromEntries(
      EMOTIONS.map((emotion) => [emotion, { precision: 0.5, recall: 0.5, f1: 0.5, support: 10 }]),
    ) as Record<Emotion, { precision: number; recall: number; f1: number; support: number }>;
    await recordEvaluation(prisma, {
      runId: b.id,
      datasetName: "fer2013",
      split: "val",
      report: {
        accuracy: 0.55,
        macroF1: 0.5,
        perClass,
        confusion: EMOTIONS.map((_, i) => EMOTIONS.map((__, j) => (i === j ? 5 : 1))),
        labels: [...EMOTIONS],
        skipped: {},
        ece: 0.05,
        samples: 77,
      },
    });

    const list = await gql<{
      experiments: { name: string; runCount: number }[];
      runs: { name: string; bestValAccuracy: number; epochCount: number; experiment: { name: string } }[];
    }>(
      api,
      "{ experiments { name runCount } runs(orderBy: { field: VAL_ACCURACY, direction: DESC }) { name bestValAccuracy epochCount experiment { name } } }",
      {},
      keys.experiments,
    );
    expect(list.errors).toBeUndefined();
    expect(list.data!.experiments).toContainEqual({ name: "api-test", runCount: 2 });
    expect(list.data!.runs.map((run) => run.name)).toEqual(["large", "small"]);
    expect(list.data!.runs[0]).toMatchObject({
      bestValAccuracy: 0.525,
      epochCount: 2,
      experiment: { name: "api-test" },
    });

    const detail = await gql<{
      run: {
        status: string;
        epochs: { epoch: number; valAccuracy: number }[];
        evaluations: {
          accuracy: number;
          labels: string[];
          confusion: number[][];
          perClass: { emotion: string; f1: number }[];
        }[];
      };
    }>(
      api,
      "query($id: ID!) { run(id: $id) { status epochs { epoch valAccuracy } evaluations { accuracy labels confusion perClass { emotion f1 } } } }",
      { id: b.id },
      keys.experiments,
    );
    expect(detail.errors).toBeUndefined();
    expect(detail.data!.run.status).toBe("COMPLETED");
    expect(detail.data!.run.epochs.map((epoch) => epoch.epoch)).toEqual([1, 2]);
    expect(detail.data!.run.evaluations[0]).toMatchObject({
      accuracy: 0.55,
      labels: EMOTIONS.map((emotion) => emotion.toUpperCase()),
    });
    expect(detail.data!.run.evaluations[0]!.confusion[0]![0]).toBe(5);
    expect(detail.data!.run.evaluations[0]!.perClass).toHaveLength(7);

    const compared = await gql<{
      compareRuns: {
        runs: { id: string }[];
        params: { name: string; values: unknown[]; differs: boolean }[];
        metrics: { name: string; values: (number | null)[]; bestRunId: string | null }[];
      };
    }>(
      api,
      "query($ids: [ID!]!) { compareRuns(ids: $ids) { runs { id } params { name values differs } metrics { name values bestRunId } } }",
      { ids: [a.id, b.id] },
      keys.experiments,
    );
    expect(compared.errors).toBeUndefined();
    const comparison = compared.data!.compareRuns;
    expect(comparison.runs.map((run) => run.id)).toEqual([a.id, b.id]);
    expect(comparison.params).toContainEqual({ name: "learningRate", values: [0.001, 0.01], differs: true });
    expect(comparison.params).toContainEqual({ name: "batchSize", values: [64, 64], differs: false });
    expect(comparison.params[0]!.differs).toBe(true);
    expect(comparison.metrics.find((metric) => metric.name === "bestValAccuracy")!.bestRunId).toBe(b.id);
    expect(
      firstErrorCode(
        await gql(
          api,
          "query($ids: [ID!]!) { compareRuns(ids: $ids) { runs { id } } }",
          { ids: [a.id, "00000000-0000-0000-0000-000000000000"] },
          keys.experiments,
        ),
      ),
    ).toBe("BAD_USER_INPUT");
  });

  it("promotes a model version (admin only) and serves it without a restart; unknown versions are typed errors", async () => {
    const { prisma } = database().db;
    await registerModelVersion(prisma, {
      version: "api-test-2",
      path: await randomModelDir("second"),
      stage: "staging",
    });
    const PROMOTE = "mutation($v: String!) { promoteModel(version: $v) { version stage active } }";
    expect(firstErrorCode(await gql(api, PROMOTE, { v: "api-test-2" }, keys.experiments))).toBe("FORBIDDEN");
    const unknown = await gql(api, PROMOTE, { v: "no-such-version" }, keys.admin);
    expect(firstErrorCode(unknown)).toBe("BAD_USER_INPUT");
    expect(unknown.errors![0]!.extensions!.appCode).toBe("NOT_FOUND");
    // A registered version whose directory holds no model is refused before anything changes.
    await registerModelVersion(prisma, {
      version: "api-test-empty",
      path: mkdtempSync(join(tmpdir(), "moodlens-api-empty-")),
      stage: "staging",
    });
    const broken = await gql(api, PROMOTE, { v: "api-test-empty" }, keys.admin);
    expect(firstErrorCode(broken)).toBe("BAD_USER_INPUT");
    expect(broken.errors![0]!.message).toMatch(/cannot be served/);
    expect(await prisma.modelVersion.count({ where: { stage: "production" } })).toBe(0);

    const promoted = await gql<{ promoteModel: { version: string; stage: string; active: boolean } }>(
      api,
      PROMOTE,
      { v: "api-test-2" },
      keys.admin,
    );
    expect(promoted.errors).toBeUndefined();
    expect(promoted.data!.promoteModel).toEqual({ version: "api-test-2", stage: "PRODUCTION", active: true });
    const served = await gql<{
      servedModel: { version: string; loaded: boolean };
      activeModel: { version: string };
      modelVersions: { version: string }[];
    }>(
      api,
      "{ servedModel { version loaded } activeModel { version } modelVersions { version } }",
      {},
      keys.experiments,
    );
    expect(served.data!.servedModel).toEqual({ version: "api-test-2", loaded: true });
    expect(served.data!.activeModel.version).toBe("api-test-2");
    expect(served.data!.modelVersions.map((version) => version.version)).toContain("api-test-2");
    const analysis = await analyze({ image: toBase64(await faceFreeImage()), store: false });
    expect(analysis.data!.analyzeImage.modelVersion).toBe("api-test-2");
  });

  it("accepts binary uploads on POST /v1/analyze with the same auth, limits and result", async () => {
    const before = await counts();
    const upload = await fetch(`${api.url}/v1/analyze?source=upload&clientRequestId=bin-1`, {
      method: "POST",
      headers: { "content-type": "image/png", authorization: `Bearer ${keys.analyze}` },
      body: new Uint8Array(await faceFreeImage()),
    });
    expect(upload.status).toBe(200);
    const body = (await upload.json()) as { analysis: AnalysisJson };
    expect(body.analysis).toMatchObject({
      source: "upload",
      clientRequestId: "bin-1",
      faceCount: 0,
      stored: true,
    });
    expect((await counts()).analyses).toBe(before.analyses + 1);

    expect((await counts()).analyses).toBe(before.analyses + 1);
  });

  it("answers /v1/analyze errors in its REST shape { error: { code, message, hint } }, without GraphQL fields", async () => {
    const before = await counts();
    const post = (headers: Record<string, string>, body: Uint8Array | string) =>
      fetch(`${api.url}/v1/analyze`, { method: "POST", headers, body });
    /** The error of a response, checked to be the REST shape: one `error` object, nothing GraphQL-specific. */
    const restError = async (response: Response) => {
      const body = (await response.json()) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(["error"]);
      const error = body.error as { code: string; message: string; hint?: string };
      expect(
        Object.keys(error).filter((key) => !["code", "message", "hint", "details"].includes(key)),
      ).toEqual([]);
      expect(error.message.length).toBeGreaterThan(0);
      return error;
    };
    const wrongType = await post(
      { "content-type": "text/plain", authorization: `Bearer ${keys.analyze}` },
      "hello",
    );
    expect(wrongType.status).toBe(415);
    expect((await restError(wrongType)).code).toBe("UNSUPPORTED_IMAGE");
    const noKey = await post({ "content-type": "image/png" }, new Uint8Array(await faceFreeImage()));
    expect(noKey.status).toBe(401);
    expect((await restError(noKey)).code).toBe("UNAUTHENTICATED");
    // Errors raised inside the analyzeImage mutation (GraphQL errors carry locations and path) lose those fields.
    const notImage = await post(
      { "content-type": "image/jpeg", authorization: `Bearer ${keys.analyze}` },
      "definitely not a jpeg",
    );
    expect(notImage.status).toBe(415);
    expect((await restError(notImage)).code).toBe("UNSUPPORTED_IMAGE");
    const tooLarge = await post(
      { "content-type": "image/png", authorization: `Bearer ${keys.analyze}` },
      new Uint8Array(1_600_000),
    );
    expect(tooLarge.status).toBe(413);
    const large = await restError(tooLarge);
    expect(large.code).toBe("PAYLOAD_TOO_LARGE");
    expect(large.hint).toMatch(/smaller image/);
    expect((await counts()).analyses).toBe(before.analyses);
  });
});
