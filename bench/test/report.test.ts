import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { scoreClassifications } from "../src/core/metrics";
import { median, ratio } from "../src/core/stats";
import { scoreDetection } from "../src/data/hand-boxes";
import { README_END, README_START, renderVideo, updateReadme } from "../src/report/readme";
import { compare, toSystemEntry, type BenchResults } from "../src/report/results";

const oneHot = (k: number) => Array.from({ length: 7 }, (_, j) => (j === k ? 0.9 : 0.1 / 6));

describe("scoreClassifications", () => {
  it("computes accuracy, macro-F1, per-class recall and the confusion matrix", () => {
    // true: angry, angry, happy, happy; predicted: angry, happy, happy, happy
    const report = scoreClassifications([0, 0, 3, 3], [oneHot(0), oneHot(3), oneHot(3), oneHot(3)]);
    expect(report.fer2013Val).toBe(0.75);
    expect(report.perClassRecall.angry).toBe(0.5);
    expect(report.perClassRecall.happy).toBe(1);
    expect(report.confusion[0]![3]).toBe(1);
    // F1 angry = 2*1*0.5/1.5 = 0.667, happy = 2*(2/3)*1/(5/3) = 0.8; five absent classes count 0.
    expect(report.macroF1).toBeCloseTo((2 / 3 + 0.8) / 7, 3);
  });
});

describe("stats helpers", () => {
  it("takes medians of odd and even lists and refuses ratios without both sides", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(ratio(10, 4)).toBe(2.5);
    expect(ratio(null, 4)).toBeNull();
    expect(ratio(3, 0)).toBeNull();
  });
});

describe("scoreDetection", () => {
  it("counts hand boxes found and other boxes, only on photos with hand boxes", () => {
    const face = { x: 10, y: 10, width: 20, height: 20 };
    const hand = new Map([
      ["a.jpg", [face, { x: 100, y: 100, width: 20, height: 20 }]],
      ["b.jpg", [face]],
    ]);
    const score = scoreDetection(
      {
        "a.jpg": [
          { x: 12, y: 11, width: 20, height: 22 },
          { x: 300, y: 0, width: 30, height: 30 },
        ],
        "b.jpg": [face],
        "c.jpg": [face, face], // no hand boxes: not scored
      },
      hand,
    );
    expect(score).toEqual({
      handBoxedPhotos: 2,
      handBoxes: 3,
      matched: 2,
      recall: 0.667,
      unmatchedFaces: 1,
      precision: 0.667,
    });
  });
});

describe("comparison and README", () => {
  const entries = {
    moodlens: toSystemEntry(undefined),
    human: toSystemEntry({
      description: {},
      endToEnd: null,
      classify: {
        variants: [
          {
            id: "h",
            batch1FacesPerSec: 200,
            batch32FacesPerSec: 230,
            batch1FacesPerCpuSec: 210,
            batch32FacesPerCpuSec: 240,
            batch1Runs: [200],
            batch32Runs: [230],
          },
        ],
      },
      accuracy: { unavailable: "not trained" },
      peakRssBytes: 1,
    }),
  };
  const dir = { path: "" };
  afterEach(async () => {
    if (dir.path) await rm(dir.path, { recursive: true, force: true });
  });

  it("keeps accuracy null with the reason and compares against the best peer only when both are measured", () => {
    expect(entries.human.accuracy).toMatchObject({ fer2013Val: null, reason: "not trained" });
    const comparison = compare(entries);
    expect(comparison.classifyBatch32FacesPerSec).toMatchObject({
      moodlens: null,
      bestPeer: 230,
      bestPeerName: "human",
      ratio: null,
    });
  });

  it("rewrites only the text between the markers, and leaves a README without them untouched", async () => {
    dir.path = await mkdtemp(join(tmpdir(), "bench-readme-"));
    const results = {
      date: "2026-11-24T07:00:00.000Z",
      mode: "quick",
      machine: {
        cpuModel: "test cpu",
        cores: 2,
        memoryGB: 1,
        freeMemoryGB: 1,
        loadAverage1m: 0,
        node: "v20",
        os: "linux",
      },
      backend: { name: "wasm", threads: 1, note: "" },
      sample: {},
      ...entries,
      comparison: compare(entries),
      training: { reason: "not run" },
      api: { reason: "not run" },
      stats: { reason: "not run" },
      memory: {},
      notes: [],
    } as unknown as BenchResults;
    const withMarkers = join(dir.path, "with.md");
    await writeFile(withMarkers, `# Title\n${README_START}\nold table\n${README_END}\nfooter\n`);
    expect(await updateReadme(results, withMarkers)).toBe(true);
    const text = await readFile(withMarkers, "utf8");
    expect(text.startsWith(`# Title\n${README_START}\n`)).toBe(true);
    expect(text.endsWith(`${README_END}\nfooter\n`)).toBe(true);
    expect(text).not.toContain("old table");
    expect(text).toContain("| Classify, faces/s, batch 32 | – | 230 | – |");

    const without = join(dir.path, "without.md");
    await writeFile(without, "# Nothing to replace\n");
    expect(await updateReadme(results, without)).toBe(false);
    expect(await readFile(without, "utf8")).toBe("# Nothing to replace\n");
  });
});

describe("video paragraph", () => {
  it("says nothing for results older than the section, the reason when skipped, the figures when measured", () => {
    expect(renderVideo(undefined)).toBeNull();
    expect(renderVideo({ reason: "not run (--only)" })).toBe("Video: not measured (not run (--only)).");
    const text = renderVideo({
      clip: { file: "pan", width: 1280, height: 720, seconds: 20, fps: 25, sampleFps: 2, frames: 40 },
      moodlens: {
        framesPerSec: 10.04,
        framesPerCpuSec: 6.56,
        realTimeFactor: 5.02,
        wallMs: 3984,
        cpuMs: 6096,
        faces: 78,
        tracks: 2,
        how: "",
      },
      human: { error: "no wasm" },
      analyzeFrame: [
        {
          path: "graphql (POST)",
          streams: 4,
          frames: 40,
          latencyP50Ms: 254.7,
          latencyP99Ms: 422.5,
          framesPerSec: 15.5,
        },
      ],
      notes: [],
    });
    expect(text).toContain("1280x720, 20 s, sampled at 2 fps");
    expect(text).toContain("real-time factor 5");
    expect(text).toContain("human not measured (no wasm)");
    expect(text).toContain("graphql x4 p50 255 / p99 423 ms");
  });
});
