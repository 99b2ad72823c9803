/**
 * CSV for the analyses export: one row per face (an analysis without faces still gets one row), RFC 4180 quoting,
 * and free-text cells that start like a formula are prefixed with ' so spreadsheets do not execute them.
 */
import { EMOTIONS, fromEmotionEnum } from "@moodlens/shared";
import type { AnalysisRow } from "./api/types";

export const CSV_HEADER = [
  "analysis_id",
  "captured_at",
  "source",
  "campaign",
  "model_version",
  "face_count",
  "face_index",
  "dominant_emotion",
  "valence",
  "detection_score",
  "box_x",
  "box_y",
  "box_width",
  "box_height",
  ...EMOTIONS.map((emotion) => `p_${emotion}`),
] as const;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: string | number | boolean | null | undefined, { text = false } = {}): string {
  if (value === null || value === undefined) return "";
  let cell = String(value);
  if (text && FORMULA_START.test(cell)) cell = `'${cell}`;
  return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

const round = (value: number, digits = 6) => Number(value.toFixed(digits));

export function csvLine(fields: string[]): string {
  return `${fields.join(",")}\r\n`;
}

export function analysisToCsv(row: AnalysisRow): string {
  const base = [
    csvField(row.id, { text: true }),
    csvField(row.capturedAt),
    csvField(row.source, { text: true }),
    csvField(row.campaign, { text: true }),
    csvField(row.modelVersion, { text: true }),
    csvField(row.faceCount),
  ];
  if (row.faces.length === 0) return csvLine([...base, ...Array(CSV_HEADER.length - base.length).fill("")]);
  return row.faces
    .map((face) => {
      const probabilities = new Map(
        face.emotions.map((entry) => [fromEmotionEnum(entry.emotion), entry.probability]),
      );
      return csvLine([
        ...base,
        csvField(face.index),
        csvField(fromEmotionEnum(face.dominantEmotion)),
        csvField(round(face.valence)),
        csvField(round(face.detectionScore)),
        csvField(round(face.box.x, 2)),
        csvField(round(face.box.y, 2)),
        csvField(round(face.box.width, 2)),
        csvField(round(face.box.height, 2)),
        ...EMOTIONS.map((emotion) => csvField(round(probabilities.get(emotion) ?? 0))),
      ]);
    })
    .join("");
}
