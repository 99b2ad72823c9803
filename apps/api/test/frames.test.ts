/**
 * analyzeFrame: real frames of clips made from the sample photos (@moodlens/video/testing), decoded by ffmpeg,
 * sent as JPEG through Apollo's executeOperation with the shipped model. Checks track ids across a pan, smoothing
 * against the raw per-frame labels, idle eviction (on a clock the test moves, not in real time), order errors,
 * scope and the per-frame rate limit, and recording (record: true) as LIVE track-seconds counted once each.
 */
import { resolve } from "node:path";
import { describeEachDatabase } from "@moodlens/db/testing";
import { sampleFrames, type SampledFrame } from "@moodlens/video";
import { makeEnterLeaveClip, makePanClip } from "@moodlens/video/testing";
import sharp from "sharp";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createContext } from "../src/context";
import type { StartedApiServer } from "../src/server";
import { configureFrameStreams, storeLiveSeconds, type LiveRecorder } from "../src/services/frames";
import { createKey, firstErrorCode, gql, startTestApi } from "./helpers";

const SHIPPED_MODEL = resolve(import.meta.dirname, "..", "..", "..", "models", "default");

const ANALYZE_FRAME = /* GraphQL */ `
  mutation Frame($input: AnalyzeFrameInput!) {
    analyzeFrame(input: $input) {
      streamId
      timestamp
      modelVersion
      timings {
        totalMs
      }
      faces {
        trackId
        frames
        detectionScore
        dominantEmotion
        valence
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
        rawEmotions {
          emotion
          probability
        }
      }
    }
  }
`;

interface FaceJson {
  trackId: number;
  frames: number;
  dominantEmotion: string;
  valence: number;
  box: { x: number; y: number; width: number; height: number };
  emotions: { emotion: string; probability: number }[];
  rawEmotions: { emotion: string; probability: number }[];
}
interface FrameJson {
  streamId: string;
  timestamp: number;
  modelVersion: string;
  faces: FaceJson[];
}

const rawLabel = (face: FaceJson) =>
  face.rawEmotions.reduce((best, entry) => (entry.probability > best.probability ? entry : best)).emotion;
const flips = (labels: string[]) => labels.filter((label, i) => i > 0 && label !== labels[i - 1]).length;

async function jpegFrames(file: string, sampleFps: number): Promise<{ seconds: number; base64: string }[]> {
  const frames: SampledFrame[] = [];
  for await (const frame of sampleFrames(file, { sampleFps })) frames.push(frame);
  return Promise.all(
    frames.map(async (frame) => ({
      seconds: frame.seconds,
      base64: (
        await sharp(frame.image.rgb, {
          raw: { width: frame.image.width, height: frame.image.height, channels: 3 },
        })
          .jpeg({ quality: 90 })
          .toBuffer()
      ).toString("base64"),
    })),
  );
}

let pan: { seconds: number; base64: string }[];
let enterLeave: { seconds: number; base64: string }[];
beforeAll(async () => {
  pan = await jpegFrames(await makePanClip({ seconds: 4 }), 2);
  enterLeave = await jpegFrames(await makeEnterLeaveClip({ seconds: 4 }), 3);
}, 300_000);

describeEachDatabase("analyzeFrame", (database) => {
  let api: StartedApiServer;
  let analyzeKey: string;
  let clock = 0;

  beforeAll(async () => {
    api = await startTestApi(database().db, { modelDir: SHIPPED_MODEL });
    analyzeKey = (await createKey(database().db, ["analyze"])).key;
    // Idleness on a clock the test moves: no waiting, no timed assertion.
    configureFrameStreams(api.runtime, { idleMs: 60_000, now: () => clock });
  }, 300_000);
  afterAll(async () => {
    await api?.close();
  });

  async function frame(streamId: string, timestamp: number, image: string, key = analyzeKey) {
    const contextValue = await createContext(api.runtime, { authorization: `Bearer ${key}` });
    const result = await api.apollo.executeOperation<{ analyzeFrame: FrameJson }>(
      { query: ANALYZE_FRAME, variables: { input: { streamId, timestamp, image } } },
      { contextValue },
    );
    if (result.body.kind !== "single") throw new Error("expected a single result");
    return result.body.singleResult;
  }

  async function stream(
    streamId: string,
    frames: { seconds: number; base64: string }[],
  ): Promise<FrameJson[]> {
    const results: FrameJson[] = [];
    for (const { seconds, base64 } of frames) {
      const result = await frame(streamId, seconds * 1000, base64);
      expect(result.errors).toBeUndefined();
      results.push(result.data!.analyzeFrame);
    }
    return results;
  }

  it(
    "keeps each face's track id through a pan, with smoothed and raw probabilities",
    { timeout: 600_000 },
    async () => {
      const results = await stream("pan", pan);
      expect(results).toHaveLength(8);
      results.forEach((result, i) => {
        expect(result.streamId).toBe("pan");
        expect(result.timestamp).toBe(i * 500);
        expect(result.faces).toHaveLength(2);
      });
      // Left to right: the left person is track 0 or 1 in every frame, the same one throughout.
      const byPosition = results.map((result) => [...result.faces].sort((a, b) => a.box.x - b.box.x));
      const leftIds = new Set(byPosition.map((faces) => faces[0]!.trackId));
      const rightIds = new Set(byPosition.map((faces) => faces[1]!.trackId));
      expect(leftIds.size).toBe(1);
      expect(rightIds.size).toBe(1);
      expect([...leftIds, ...rightIds].sort()).toEqual([0, 1]);
      expect(byPosition.map((faces) => faces[0]!.frames)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      // The camera pans right, so faces move left in the picture.
      expect(byPosition[7]![0]!.box.x).toBeLessThan(byPosition[0]![0]!.box.x - 100);

      for (const position of [0, 1]) {
        const faces = byPosition.map((frameFaces) => frameFaces[position]!);
        // First frame: nothing to smooth with yet.
        expect(faces[0]!.emotions).toEqual(faces[0]!.rawEmotions);
        // Later frames blend in earlier ones: smoothed differs from raw, and flips no more often.
        expect(
          faces.slice(1).some((face) => JSON.stringify(face.emotions) !== JSON.stringify(face.rawEmotions)),
        ).toBe(true);
        expect(flips(faces.map((face) => face.dominantEmotion))).toBeLessThanOrEqual(
          flips(faces.map(rawLabel)),
        );
        for (const face of faces)
          expect(face.emotions.reduce((sum, entry) => sum + entry.probability, 0)).toBeCloseTo(1, 5);
      }
    },
  );

  it(
    "follows a face that enters and leaves as one track; frames without it have no faces",
    { timeout: 600_000 },
    async () => {
      const results = await stream("enter-leave", enterLeave);
      const ids = new Set(results.flatMap((result) => result.faces.map((face) => face.trackId)));
      expect(ids).toEqual(new Set([0]));
      const seen = results.map((result) => result.faces.length);
      expect(seen[0]).toBe(0); // the face is still outside the picture
      expect(seen.filter((count) => count === 1).length).toBeGreaterThanOrEqual(4);
      expect(Math.max(...seen)).toBe(1);
    },
  );

  it(
    "refuses frames out of order before analysing them, and evicts an idle stream",
    { timeout: 600_000 },
    async () => {
      await stream("order", pan.slice(0, 2));
      const repeated = await frame("order", 500, pan[2]!.base64);
      expect(repeated.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      expect(repeated.errors?.[0]?.message).toMatch(/repeats the stream's last frame/);
      const earlier = await frame("order", 100, pan[2]!.base64);
      expect(earlier.errors?.[0]?.message).toMatch(/is before/);

      // After the idle timeout the stream is gone: the next frame starts new tracks (frames counts from 1 again).
      clock += 60_001;
      const again = await stream("order", pan.slice(2, 3));
      expect(again[0]!.faces.map((face) => face.frames)).toEqual([1, 1]);
      expect(again[0]!.faces.map((face) => face.trackId).sort()).toEqual([0, 1]);
    },
  );

  it(
    "needs the analyze scope, and every aliased frame counts toward the rate limit",
    { timeout: 600_000 },
    async () => {
      const readOnly = (await createKey(database().db, ["read:stats"])).key;
      const forbidden = await frame("scope", 0, pan[0]!.base64, readOnly);
      expect(forbidden.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      const limited = (await createKey(database().db, ["analyze"], { rateLimitPerMinute: 3 })).key;
      const aliases = [0, 1, 2, 3]
        .map(
          (i) =>
            `f${i}: analyzeFrame(input: { streamId: "s${i}", timestamp: 0, image: $image }) { streamId }`,
        )
        .join("\n");
      const response = await gql(
        api,
        `mutation($image: String!) { ${aliases} }`,
        { image: pan[0]!.base64 },
        limited,
      );
      expect(firstErrorCode(response)).toBe("RATE_LIMITED");
    },
  );
  it(
    "records a stream's track-seconds as LIVE once each (also on a replayed flush); record: false stores nothing",
    { timeout: 600_000 },
    async () => {
      // The real recorder, wrapped only to see which seconds it was handed and to wait for the eviction's flush.
      const flushes: Parameters<LiveRecorder>[] = [];
      const pending: Promise<void>[] = [];
      const recorder: LiveRecorder = (...args) => {
        flushes.push(args);
        const stored = storeLiveSeconds(...args);
        pending.push(stored);
        return stored;
      };
      let recClock = 0;
      const registry = configureFrameStreams(api.runtime, { idleMs: 60_000, now: () => recClock, recorder });
      const statsKey = (await createKey(database().db, ["read:stats"])).key;
      const liveFaces = async (campaign: string) => {
        const response = await gql<{ emotionStats: { totalFaces: number } }>(
          api,
          "query($f: AnalysisFilter) { emotionStats(filter: $f) { totalFaces } }",
          { f: { kinds: ["LIVE"], campaigns: [campaign] } },
          statsKey,
        );
        expect(response.errors).toBeUndefined();
        return response.data!.emotionStats.totalFaces;
      };
      const send = async (streamId: string, campaign: string, record: boolean) => {
        for (const { seconds, base64 } of pan) {
          const contextValue = await createContext(api.runtime, { authorization: `Bearer ${analyzeKey}` });
          const result = await api.apollo.executeOperation(
            {
              query: ANALYZE_FRAME,
              variables: { input: { streamId, timestamp: seconds * 1000, image: base64, record, campaign } },
            },
            { contextValue },
          );
          expect(result.body.kind === "single" && result.body.singleResult.errors).toBeUndefined();
        }
      };

      await send("rec", "live-recorded", true);
      await send("norec", "live-unrecorded", false);
      // The idle sweep closes the open seconds of both streams; only the recorded one is handed to the recorder.
      recClock += 60_001;
      expect(registry.sweep()).toBe(2);
      await Promise.all(pending);

      const handed = flushes.flatMap(([, , recording, seconds]) => {
        expect(recording.streamId).toBe("rec");
        return seconds.map((ts) => `${ts.trackIndex}:${ts.second}`);
      });
      // Two faces through the 4 s pan: tracks 0 and 1 in seconds 0..3, each (track, second) handed once.
      expect(new Set(handed).size).toBe(handed.length);
      expect(handed.sort()).toEqual(["0:0", "0:1", "0:2", "0:3", "1:0", "1:1", "1:2", "1:3"]);
      expect(await liveFaces("live-recorded")).toBe(8);
      const prisma = database().db.prisma;
      expect(await prisma.face.count({ where: { kind: "LIVE", campaign: "live-recorded" } })).toBe(8);

      // A replayed flush (a retried write) counts nothing twice.
      for (const args of flushes) await storeLiveSeconds(...args);
      expect(await liveFaces("live-recorded")).toBe(8);
      expect(await prisma.face.count({ where: { kind: "LIVE", campaign: "live-recorded" } })).toBe(8);

      // Another stream with the same (track, second) pairs is not a replay: it counts.
      const [first] = flushes;
      const [runtime, key, recording, seconds] = first!;
      await storeLiveSeconds(
        runtime,
        key,
        { ...recording, streamId: "rec-2", campaign: "live-second-stream" },
        seconds,
      );
      expect(await prisma.face.count({ where: { kind: "LIVE", campaign: "live-second-stream" } })).toBe(
        seconds.length,
      );
      // Bad seconds are refused with a typed error and write nothing.
      const broken = seconds.map((ts) => ({ ...ts, probabilities: [2, 0, 0] }));
      await expect(
        storeLiveSeconds(runtime, key, { ...recording, streamId: "rec-3", campaign: "live-broken" }, broken),
      ).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
      expect(await prisma.analysis.count({ where: { campaign: "live-broken" } })).toBe(0);

      expect(await liveFaces("live-unrecorded")).toBe(0);
      expect(await prisma.analysis.count({ where: { campaign: "live-unrecorded" } })).toBe(0);
    },
  );
});
