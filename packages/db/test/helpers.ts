import { EMOTIONS, type Emotion } from "@moodlens/shared";
import type { FaceInput, RecordAnalysisInput } from "../src/analyses";

/** Probabilities with `emotion` clearly dominant (sums to 1). */
export function probabilitiesFor(emotion: Emotion, confidence = 0.7): number[] {
  const rest = (1 - confidence) / (EMOTIONS.length - 1);
  return EMOTIONS.map((e) => (e === emotion ? confidence : rest));
}

export function face(emotion: Emotion, index = 0): FaceInput {
  return {
    box: { x: 10 + index * 50, y: 20, width: 40, height: 40 },
    detectionScore: 0.95,
    probabilities: probabilitiesFor(emotion),
  };
}

export function analysisInput(overrides: Partial<RecordAnalysisInput> = {}): RecordAnalysisInput {
  return {
    modelVersion: "test-1",
    backend: "cpu",
    imageWidth: 640,
    imageHeight: 480,
    timings: { totalMs: 12 },
    faces: [face("happy")],
    capturedAt: new Date("2026-03-10T12:15:00Z"),
    source: "web",
    campaign: "none",
    ...overrides,
  };
}
