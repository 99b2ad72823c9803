import {
  dominantEmotion,
  EMOTIONS,
  valenceOf,
  type Box,
  type Emotion,
  type FacePrediction,
} from "@moodlens/shared";

/** Probabilities with `main` at `weight` and the rest spread evenly (EMOTIONS order). */
export function probabilitiesOf(main: Emotion, weight = 0.7, second?: Emotion, secondWeight = 0): number[] {
  const rest = (1 - weight - secondWeight) / (EMOTIONS.length - (second ? 2 : 1));
  return EMOTIONS.map((emotion) => (emotion === main ? weight : emotion === second ? secondWeight : rest));
}

/** A detector output as the analyzer gives it (the tracker only reads box, detectionScore and probabilities). */
export function face(box: Box, probabilities: number[], detectionScore = 0.9): FacePrediction {
  return {
    box,
    detectionScore,
    probabilities,
    dominantEmotion: dominantEmotion(probabilities),
    valence: valenceOf(probabilities),
  };
}

export const box = (x: number, y: number, side = 100): Box => ({ x, y, width: side, height: side });

/** Label changes along a sequence of labels. */
export const flips = (labels: readonly string[]): number =>
  labels.filter((label, i) => i > 0 && label !== labels[i - 1]).length;
