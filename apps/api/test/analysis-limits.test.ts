/**
 * Limits that must hold before the model runs (image shape, label length) and faces the analyzer leaves out being
 * reported rather than dropped silently.
 */
import { crc32, deflateSync } from "node:zlib";
import { createTestDatabase, type TestDatabase } from "@moodlens/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig } from "../src/config";
import type { StartedApiServer } from "../src/server";
import type { AnalyzerLoader } from "../src/services/analyzer-port";
import { loadAnalyzer } from "../src/services/load-analyzer";
import {
  createKey,
  firstErrorCode,
  gql,
  groupPhoto,
  randomModelDir,
  startTestApi,
  toBase64,
} from "./helpers";

/** A valid grey PNG of any shape, built by hand (sharp refuses sides over 16,383 px): a few KB for 25,000,000x1. */
function greyPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(0, 9); // greyscale
  const rows = Buffer.alloc((width + 1) * height, 0); // filter byte 0 + black pixels per row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const ANALYZE = `mutation($i: AnalyzeImageInput!) { analyzeImage(input: $i) {
  id faceCount skipped skippedOverFaceLimit faceLimit faces { detectionScore } } }`;

describe("analysis limits", () => {
  let test: TestDatabase;
  let api: StartedApiServer;
  let key: string;
  let analyses = 0;
  /** Analyses wait for this before running (a test holds one in flight with it). */
  let gate: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    test = await createTestDatabase("pglite");
    const real = loadAnalyzer(defaultConfig());
    const counting: AnalyzerLoader = async (dir, version) => {
      const analyzer = await real(dir, version);
      return {
        ...analyzer,
        analyze: async (bytes, options) => (analyses++, await gate, analyzer.analyze(bytes, options)),
      };
    };
    api = await startTestApi(
      test.db,
      {
        modelDir: await randomModelDir(),
        limits: { maxFaces: 2, maxExplainFaces: 1, maxConcurrentExplain: 1 },
      },
      { loadAnalyzer: counting },
    );
    key = (await createKey(test.db, ["analyze", "read:stats"])).key;
  });
  afterAll(async () => {
    await api?.close();
    await test?.drop();
  });

  it("refuses a 25,000,000x1 PNG (within the pixel limit) by its shape, before the model runs", async () => {
    const before = analyses;
    const line = greyPng(25_000_000, 1);
    expect(line.length).toBeLessThan(100_000);
    const long = await gql(api, ANALYZE, { i: { image: toBase64(line) } }, key);
    expect(firstErrorCode(long)).toBe("PAYLOAD_TOO_LARGE");
    expect(long.errors![0]!.message).toMatch(/longer side may be at most 10000 px/);
    const thin = await gql(api, ANALYZE, { i: { image: toBase64(greyPng(4_000, 100)) } }, key);
    expect(firstErrorCode(thin)).toBe("UNSUPPORTED_IMAGE");
    expect(thin.errors![0]!.message).toMatch(/more than 20 times as long as wide/);
    expect(analyses).toBe(before);
    expect(await test.db.prisma.analysis.count()).toBe(0);
  });

  it("refuses a 1 MB source before the model runs, without echoing it", async () => {
    const before = analyses;
    const source = "s".repeat(1_000_000);
    const response = await gql(api, ANALYZE, { i: { image: toBase64(groupPhoto()), source } }, key);
    expect(firstErrorCode(response)).toBe("BAD_USER_INPUT");
    expect(response.errors![0]!.message).toMatch(
      /source must be at most 64 printable characters \(got 1000000\)/,
    );
    expect(JSON.stringify(response).length).toBeLessThan(2_000);
    expect(analyses).toBe(before);
  });

  it("reports faces left out by the face limit, in the response and when the stored analysis is read back", async () => {
    const response = await gql<{
      analyzeImage: {
        id: string;
        faceCount: number;
        skipped: number;
        skippedOverFaceLimit: number;
        faceLimit: number;
        faces: unknown[];
      };
    }>(api, ANALYZE, { i: { image: toBase64(groupPhoto()), clientRequestId: "face-limit" } }, key);
    expect(response.errors).toBeUndefined();
    const analysis = response.data!.analyzeImage;
    // The photo holds three faces; two are classified, the third is counted, not lost.
    expect(analysis.faces).toHaveLength(2);
    expect(analysis).toMatchObject({ faceCount: 2, skippedOverFaceLimit: 1, faceLimit: 2 });
    expect(analysis.skipped).toBeGreaterThanOrEqual(1);
    const replay = await gql<{ analyzeImage: { skippedOverFaceLimit: number; faceLimit: number } }>(
      api,
      ANALYZE,
      { i: { image: toBase64(groupPhoto()), clientRequestId: "face-limit" } },
      key,
    );
    expect(replay.data!.analyzeImage).toMatchObject({ skippedOverFaceLimit: 1, faceLimit: 2 });
  });

  it("explains at most maxExplainFaces faces, and one explain analysis at a time per instance", async () => {
    const EXPLAIN = "mutation($i: AnalyzeImageInput!) { analyzeImage(input: $i) { faces { saliency } } }";
    const input = { i: { image: toBase64(groupPhoto()), explain: true, store: false } };
    let open: () => void = () => {};
    gate = new Promise((resolve) => (open = resolve));
    const before = analyses;
    const first = gql<{ analyzeImage: { faces: { saliency: string | null }[] } }>(api, EXPLAIN, input, key);
    await expect.poll(() => analyses).toBe(before + 1); // the first one holds the explain slot
    const second = await gql(api, EXPLAIN, input, key);
    expect(firstErrorCode(second)).toBe("RATE_LIMITED");
    expect(second.errors![0]!.message).toMatch(/explain analyses are limited to 1 at a time/);
    open();
    const faces = (await first).data!.analyzeImage.faces;
    expect(faces).toHaveLength(2);
    expect(faces[0]!.saliency).toMatch(/^data:image\/png;base64,/);
    expect(faces[1]!.saliency).toBeNull();
    // The slot is free again.
    expect((await gql(api, EXPLAIN, input, key)).errors).toBeUndefined();
  });
});
