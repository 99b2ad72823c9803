/**
 * A video job's per-second timeline and face tracks as the video page shows and exports them: chart rows with the
 * share of each emotion, peaks to mark, and CSV. Pure functions, tested in test/video-timeline.test.ts.
 */
import { EMOTIONS, fromEmotionEnum, type Emotion } from "@moodlens/shared";
import { csvField, csvLine } from "./csv";
import type { EmotionProbability, FaceTrackSummary, TimelineSecond } from "./api/types";

export type TimelineRow = { second: number; faces: number; meanValence: number | null } & Record<
  Emotion,
  number
>;

export function probabilityRecord(entries: readonly EmotionProbability[]): Record<Emotion, number> {
  const record = Object.fromEntries(EMOTIONS.map((emotion) => [emotion, 0])) as Record<Emotion, number>;
  for (const entry of entries) record[fromEmotionEnum(entry.emotion)] = entry.probability;
  return record;
}

/** One row per second, in order; a second without faces keeps zero shares and no valence (a gap in the line). */
export function timelineRows(timeline: readonly TimelineSecond[]): TimelineRow[] {
  return [...timeline]
    .sort((a, b) => a.second - b.second)
    .map((entry) => ({
      second: entry.second,
      faces: entry.faces,
      meanValence: entry.faces > 0 ? entry.meanValence : null,
      ...probabilityRecord(entry.emotions),
    }));
}

export interface Peak {
  second: number;
  emotion: Emotion;
  share: number;
}

/** Below this a "peak" is noise. */
export const PEAK_MIN_SHARE = 0.5;

/**
 * The moments worth marking: for each expressive emotion (neutral is the resting state, not a moment), the second
 * where its share is highest, if it reaches PEAK_MIN_SHARE; the earliest second wins a tie. At most `limit`, by share.
 */
export function findPeaks(rows: readonly TimelineRow[], limit = 4): Peak[] {
  const peaks: Peak[] = [];
  for (const emotion of EMOTIONS) {
    if (emotion === "neutral") continue;
    let best: Peak | null = null;
    for (const row of rows) {
      if (row.faces === 0) continue;
      if (row[emotion] >= PEAK_MIN_SHARE && (!best || row[emotion] > best.share)) {
        best = { second: row.second, emotion, share: row[emotion] };
      }
    }
    if (best) peaks.push(best);
  }
  return peaks.sort((a, b) => b.share - a.share || a.second - b.second).slice(0, limit);
}

/** The whole second the player is in (the chart's playhead), clamped to the timeline. */
export function secondAt(currentTime: number, rows: readonly TimelineRow[]): number | null {
  if (rows.length === 0 || !Number.isFinite(currentTime)) return null;
  const last = rows[rows.length - 1]!.second;
  return Math.min(Math.max(0, Math.floor(currentTime)), last);
}

const round = (value: number, digits = 6) => Number(value.toFixed(digits));

export const TIMELINE_CSV_HEADER = [
  "second",
  "faces",
  "mean_valence",
  ...EMOTIONS.map((emotion) => `share_${emotion}`),
];

export function timelineToCsv(rows: readonly TimelineRow[]): string {
  return (
    csvLine(TIMELINE_CSV_HEADER) +
    rows
      .map((row) =>
        csvLine([
          csvField(row.second),
          csvField(row.faces),
          csvField(row.meanValence == null ? null : round(row.meanValence)),
          ...EMOTIONS.map((emotion) => csvField(round(row[emotion]))),
        ]),
      )
      .join("")
  );
}

export const TRACKS_CSV_HEADER = [
  "track",
  "first_seconds",
  "last_seconds",
  "frames",
  "dominant_emotion",
  "mean_valence",
  ...EMOTIONS.map((emotion) => `p_${emotion}`),
];

export function tracksToCsv(tracks: readonly FaceTrackSummary[]): string {
  return (
    csvLine(TRACKS_CSV_HEADER) +
    [...tracks]
      .sort((a, b) => a.index - b.index)
      .map((track) => {
        const probabilities = probabilityRecord(track.emotions);
        return csvLine([
          csvField(track.index),
          csvField(round(track.firstSeconds, 3)),
          csvField(round(track.lastSeconds, 3)),
          csvField(track.frames),
          csvField(fromEmotionEnum(track.dominantEmotion)),
          csvField(round(track.meanValence)),
          ...EMOTIONS.map((emotion) => csvField(round(probabilities[emotion]))),
        ]);
      })
      .join("")
  );
}

export function formatSeconds(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}
