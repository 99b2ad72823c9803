import { describe, expect, it } from "vitest";
import type { FaceTrackSummary, TimelineSecond } from "../lib/api/types";
import {
  TIMELINE_CSV_HEADER,
  findPeaks,
  formatSeconds,
  secondAt,
  timelineRows,
  timelineToCsv,
  tracksToCsv,
} from "../lib/video-timeline";

const shares = (values: Partial<Record<string, number>>) =>
  (["ANGRY", "DISGUST", "FEAR", "HAPPY", "SAD", "SURPRISE", "NEUTRAL"] as const).map((emotion) => ({
    emotion,
    probability: values[emotion] ?? 0,
  }));

const timeline: TimelineSecond[] = [
  { second: 2, faces: 0, meanValence: null, emotions: shares({}) },
  { second: 0, faces: 2, meanValence: 0.4, emotions: shares({ HAPPY: 0.5, NEUTRAL: 0.5 }) },
  { second: 1, faces: 2, meanValence: 0.8, emotions: shares({ HAPPY: 1 }) },
  { second: 3, faces: 1, meanValence: -0.6, emotions: shares({ SAD: 0.6, NEUTRAL: 0.4 }) },
];

describe("video timeline", () => {
  it("orders seconds and leaves valence out where no face was visible", () => {
    const rows = timelineRows(timeline);
    expect(rows.map((row) => row.second)).toEqual([0, 1, 2, 3]);
    expect(rows[2]).toMatchObject({ faces: 0, meanValence: null, happy: 0 });
    expect(rows[1]).toMatchObject({ happy: 1, neutral: 0, meanValence: 0.8 });
  });

  it("marks each expressive emotion's highest second once, never neutral, not below the threshold", () => {
    const peaks = findPeaks(timelineRows(timeline));
    expect(peaks).toEqual([
      { second: 1, emotion: "happy", share: 1 },
      { second: 3, emotion: "sad", share: 0.6 },
    ]);
    expect(findPeaks(timelineRows(timeline), 1)).toHaveLength(1);
  });

  it("maps player time to the chart's second, clamped", () => {
    const rows = timelineRows(timeline);
    expect(secondAt(1.99, rows)).toBe(1);
    expect(secondAt(42, rows)).toBe(3);
    expect(secondAt(-1, rows)).toBe(0);
    expect(secondAt(1, [])).toBeNull();
    expect(formatSeconds(75.4)).toBe("1:15");
  });

  it("exports the timeline and the tracks as CSV", () => {
    const csv = timelineToCsv(timelineRows(timeline)).trim().split("\r\n");
    expect(csv[0]).toBe(TIMELINE_CSV_HEADER.join(","));
    expect(csv).toHaveLength(5);
    expect(csv[3]).toBe("2,0,,0,0,0,0,0,0,0");
    const tracks: FaceTrackSummary[] = [
      {
        index: 0,
        firstSeconds: 0,
        lastSeconds: 3.5,
        frames: 8,
        dominantEmotion: "HAPPY",
        meanValence: 0.5,
        emotions: shares({ HAPPY: 0.7, NEUTRAL: 0.3 }),
      },
    ];
    const trackCsv = tracksToCsv(tracks).trim().split("\r\n");
    expect(trackCsv[1]).toBe("0,0,3.5,8,happy,0.5,0,0,0,0.7,0,0,0.3");
  });
});
