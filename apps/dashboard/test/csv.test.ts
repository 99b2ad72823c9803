import { describe, expect, it } from "vitest";
import type { AnalysisRow } from "../lib/api/types";
import { CSV_HEADER, analysisToCsv, csvField } from "../lib/csv";

const row = (overrides: Partial<AnalysisRow> = {}): AnalysisRow => ({
  id: "a1",
  capturedAt: "2026-01-01T10:00:00.000Z",
  source: "web",
  campaign: "spring, 2026",
  faceCount: 2,
  modelVersion: "v1",
  demo: false,
  faces: [
    {
      index: 0,
      box: { x: 1, y: 2, width: 30, height: 40 },
      detectionScore: 0.99,
      dominantEmotion: "HAPPY",
      valence: 0.81,
      emotions: [
        { emotion: "HAPPY", probability: 0.9 },
        { emotion: "NEUTRAL", probability: 0.1 },
      ],
    },
    {
      index: 1,
      box: { x: 50, y: 2, width: 30, height: 40 },
      detectionScore: 0.9,
      dominantEmotion: "SAD",
      valence: -0.7,
      emotions: [{ emotion: "SAD", probability: 1 }],
    },
  ],
  ...overrides,
});

const parse = (line: string) => line.trimEnd().split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);

describe("CSV export", () => {
  it("writes one row per face with every column of the header", () => {
    const lines = analysisToCsv(row()).split("\r\n").filter(Boolean);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(parse(line)).toHaveLength(CSV_HEADER.length);
    const first = Object.fromEntries(CSV_HEADER.map((name, i) => [name, parse(lines[0]!)[i]]));
    expect(first).toMatchObject({
      campaign: '"spring, 2026"',
      dominant_emotion: "happy",
      p_happy: "0.9",
      p_sad: "0",
      face_index: "0",
    });
  });

  it("keeps an analysis without faces as one row", () => {
    const lines = analysisToCsv(row({ faces: [], faceCount: 0 }))
      .split("\r\n")
      .filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(parse(lines[0]!)).toHaveLength(CSV_HEADER.length);
  });

  it("quotes separators and neutralises formula-like text", () => {
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("=HYPERLINK(1)", { text: true })).toBe("'=HYPERLINK(1)");
    expect(csvField(-0.5)).toBe("-0.5");
    expect(csvField(null)).toBe("");
  });
});
