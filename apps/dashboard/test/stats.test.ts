import { describe, expect, it } from "vitest";
import type { EmotionCount, PeriodTotals } from "../lib/api/types";
import {
  breakdownRows,
  computeKpis,
  dominantOf,
  meanProbabilities,
  sharesByEmotion,
  toAnalysisFilter,
  topMovers,
} from "../lib/stats";

const counts = (values: Partial<Record<EmotionCount["emotion"], number>>): EmotionCount[] =>
  (["ANGRY", "DISGUST", "FEAR", "HAPPY", "SAD", "SURPRISE", "NEUTRAL"] as const).map((emotion) => ({
    emotion,
    count: values[emotion] ?? 0,
    share: 0,
  }));

const period = (
  values: Partial<Record<EmotionCount["emotion"], number>>,
  meanValence: number | null,
): PeriodTotals => {
  const list = counts(values);
  const total = list.reduce((sum, entry) => sum + entry.count, 0);
  return { totalFaces: total, totalAnalyses: total, meanValence, counts: list };
};

describe("KPIs", () => {
  const current = period({ HAPPY: 50, SURPRISE: 10, SAD: 20, ANGRY: 10, NEUTRAL: 10 }, 0.3);
  const previous = period({ HAPPY: 30, SAD: 30, NEUTRAL: 40 }, 0.1);

  it("computes positive and negative shares from the counts and their change", () => {
    const kpis = computeKpis(current, previous);
    expect(kpis.faces).toMatchObject({ value: 100, previous: 100, change: 0, relativeChange: 0 });
    expect(kpis.positiveShare.value).toBeCloseTo(0.6);
    expect(kpis.positiveShare.change).toBeCloseTo(0.3);
    expect(kpis.negativeShare.value).toBeCloseTo(0.3);
    expect(kpis.negativeShare.change).toBeCloseTo(0);
    expect(kpis.meanValence.change).toBeCloseTo(0.2);
  });

  it("has no change when the previous period is empty", () => {
    const kpis = computeKpis(current, period({}, null));
    expect(kpis.positiveShare.change).toBeNull();
    expect(kpis.meanValence.change).toBeNull();
    expect(kpis.faces.relativeChange).toBeNull();
  });

  it("ranks movers by absolute share change", () => {
    const movers = topMovers(current, previous, 3);
    expect(movers.map((mover) => mover.emotion)).toEqual(["neutral", "happy", "angry"]);
    expect(movers[0]!.change).toBeCloseTo(-0.3);
    expect(topMovers(current, null)).toEqual([]);
  });
});

describe("shaping", () => {
  it("shares sum to one and an empty group has zero shares", () => {
    const shares = sharesByEmotion(counts({ HAPPY: 3, SAD: 1 }));
    expect(Object.values(shares).reduce((a, b) => a + b, 0)).toBeCloseTo(1);
    expect(shares.happy).toBeCloseTo(0.75);
    expect(Object.values(sharesByEmotion(counts({}))).every((value) => value === 0)).toBe(true);
  });

  it("sorts breakdown groups by faces and labels a missing key", () => {
    const rows = breakdownRows([
      { key: "web", faces: 5, analyses: 5, meanValence: 0, counts: counts({ HAPPY: 5 }) },
      { key: null, faces: 9, analyses: 9, meanValence: 0, counts: counts({ SAD: 9 }) },
    ]);
    expect(rows.map((row) => row.label)).toEqual(["(none)", "web"]);
    expect(rows[0]!.sad).toBe(1);
  });

  it("averages face probabilities for the analysis-level mix", () => {
    const faces = [
      { emotions: [{ emotion: "HAPPY", probability: 1 }] },
      {
        emotions: [
          { emotion: "HAPPY", probability: 0.2 },
          { emotion: "SAD", probability: 0.8 },
        ],
      },
    ];
    const mean = meanProbabilities(faces);
    expect(mean.happy).toBeCloseTo(0.6);
    expect(mean.sad).toBeCloseTo(0.4);
    expect(dominantOf(mean)).toBe("happy");
  });

  it("omits empty lists from the API filter", () => {
    const filter = toAnalysisFilter({
      from: new Date(0),
      to: new Date(1000),
      sources: [],
      campaigns: ["x"],
      timezone: "UTC",
    });
    expect(filter).toEqual({
      from: "1970-01-01T00:00:00.000Z",
      to: "1970-01-01T00:00:01.000Z",
      timezone: "UTC",
      campaigns: ["x"],
    });
  });
});
