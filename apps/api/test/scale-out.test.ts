import { registerModelVersion } from "@moodlens/db";
import { createTestDatabase, type TestDatabase } from "@moodlens/db/testing";
import { EMOTIONS } from "@moodlens/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig } from "../src/config";
import { silentLogger } from "../src/runtime";
import { startApiServer, type StartedApiServer } from "../src/server";
import { createKey, faceFreeImage, gql, groupPhoto, randomModelDir, toBase64 } from "./helpers";

const ANALYZE =
  "mutation($input: AnalyzeImageInput!) { analyzeImage(input: $input) { id faceCount deduplicated faces { dominantEmotion } } }";
const STATS = `query($f: AnalysisFilter) {
  emotionStats(filter: $f, bucket: DAY) { totalFaces totalAnalyses counts { emotion count } }
  emotionBreakdown(filter: $f, by: SOURCE) { groups { key faces } }
}`;

interface Analysis {
  id: string;
  faceCount: number;
  deduplicated: boolean;
  faces: { dominantEmotion: string }[];
}

/**
 * Two API instances, each with its own connection pool, against ONE PostgreSQL database: they hold no state of
 * their own, so concurrent writes through both add up, idempotency and rate limits hold across them, and a
 * promotion through one is served by the other without a restart.
 */
describe("two API instances on one PostgreSQL database", () => {
  let test: TestDatabase;
  let a: StartedApiServer;
  let b: StartedApiServer;
  let key: string;

  beforeAll(async () => {
    test = await createTestDatabase("postgres");
    const modelDir = await randomModelDir();
    const config = defaultConfig({
      port: 0,
      host: "127.0.0.1",
      databaseUrl: test.url!,
      modelDir,
      minGroupSize: 1,
      modelPollMs: 250,
    });
    // Both instances open their own database connections and run the (idempotent) migrations at start.
    [a, b] = await Promise.all([
      startApiServer(config, { logger: silentLogger }),
      startApiServer(config, { logger: silentLogger }),
    ]);
    key = (await createKey(test.db, ["analyze", "read:stats", "admin"])).key;
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await test?.drop();
  });

  it("adds up concurrent writes through both instances, exactly once per clientRequestId", async () => {
    const empty = toBase64(await faceFreeImage());
    const photo = toBase64(groupPhoto());
    const requests: [StartedApiServer, Record<string, unknown>][] = [
      [a, { image: photo, source: "a" }],
      [b, { image: photo, source: "b" }],
      ...Array.from({ length: 4 }, (_, i): [StartedApiServer, Record<string, unknown>] => [
        i % 2 ? a : b,
        { image: empty, source: i % 2 ? "a" : "b" },
      ]),
      // The same request id through both instances at once: stored once.
      [a, { image: photo, source: "dup", clientRequestId: "same-request" }],
      [b, { image: photo, source: "dup", clientRequestId: "same-request" }],
    ];
    const responses = await Promise.all(
      requests.map(([server, input]) => gql<{ analyzeImage: Analysis }>(server, ANALYZE, { input }, key)),
    );
    for (const response of responses) expect(response.errors).toBeUndefined();
    const analyses = responses.map((response) => response.data!.analyzeImage);
    const [dupA, dupB] = analyses.slice(-2) as [Analysis, Analysis];
    expect(dupA.id).toBe(dupB.id);
    expect([dupA.deduplicated, dupB.deduplicated].filter(Boolean)).toHaveLength(1);

    const unique = new Map(analyses.map((analysis) => [analysis.id, analysis]));
    expect(unique.size).toBe(requests.length - 1);
    const expectedFaces = [...unique.values()].reduce((sum, analysis) => sum + analysis.faceCount, 0);
    expect(expectedFaces).toBeGreaterThan(0);

    const { prisma } = test.db;
    expect(await prisma.analysis.count()).toBe(unique.size);
    expect(await prisma.face.count()).toBe(expectedFaces);

    const filter = {
      f: {
        from: new Date(Date.now() - 86_400_000).toISOString(),
        to: new Date(Date.now() + 86_400_000).toISOString(),
      },
    };
    type Stats = {
      emotionStats: {
        totalFaces: number;
        totalAnalyses: number;
        counts: { emotion: string; count: number }[];
      };
      emotionBreakdown: { groups: { key: string; faces: number }[] };
    };
    const [fromA, fromB] = await Promise.all([
      gql<Stats>(a, STATS, filter, key),
      gql<Stats>(b, STATS, filter, key),
    ]);
    expect(fromA.errors).toBeUndefined();
    expect(fromA.data).toEqual(fromB.data);
    expect(fromA.data!.emotionStats.totalFaces).toBe(expectedFaces);
    expect(fromA.data!.emotionStats.totalAnalyses).toBe(unique.size);
    for (const emotion of EMOTIONS) {
      const label = emotion.toUpperCase();
      const direct = [...unique.values()]
        .flatMap((analysis) => analysis.faces)
        .filter((face) => face.dominantEmotion === label).length;
      expect(fromA.data!.emotionStats.counts.find((entry) => entry.emotion === label)!.count).toBe(direct);
    }
    const perSource = Object.fromEntries(
      fromA.data!.emotionBreakdown.groups.map((group) => [group.key, group.faces]),
    );
    for (const source of ["a", "b", "dup"])
      expect(perSource[source] ?? 0).toBe(await prisma.face.count({ where: { source } }));
    expect(Object.values(perSource).reduce((sum, faces) => sum + faces, 0)).toBe(expectedFaces);
  });

  it("shares one rate-limit budget per key across instances", async () => {
    const limited = (await createKey(test.db, ["read:stats"], { rateLimitPerMinute: 4 })).key;
    const windowOf = () => Math.floor(Date.now() / 60_000);
    const window = windowOf();
    const statuses = await Promise.all(
      [a, b, a, b, a, b].map((server) =>
        gql(server, "{ me { name } }", {}, limited).then((response) => response.status),
      ),
    );
    if (windowOf() !== window) return; // the minute rolled over mid-test: the budget legitimately restarted
    expect(statuses.filter((status) => status === 200)).toHaveLength(4);
    expect(statuses.filter((status) => status === 429)).toHaveLength(2);
  });

  it("serves a model promoted through one instance on the other without a restart", async () => {
    await registerModelVersion(test.db.prisma, {
      version: "scale-2",
      path: await randomModelDir("second"),
      stage: "staging",
    });
    const promoted = await gql(a, 'mutation { promoteModel(version: "scale-2") { version } }', {}, key);
    expect(promoted.errors).toBeUndefined();
    const deadline = Date.now() + 30_000;
    let served = "";
    while (Date.now() < deadline) {
      const response = await gql<{ servedModel: { version: string } }>(b, "{ servedModel { version } }");
      served = response.data!.servedModel.version;
      if (served === "scale-2") break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(served).toBe("scale-2");
    const analysis = await gql<{ analyzeImage: { modelVersion: string } }>(
      b,
      "mutation($i: AnalyzeImageInput!) { analyzeImage(input: $i) { modelVersion } }",
      { i: { image: toBase64(await faceFreeImage()), store: false } },
      key,
    );
    expect(analysis.data!.analyzeImage.modelVersion).toBe("scale-2");
  });
});
