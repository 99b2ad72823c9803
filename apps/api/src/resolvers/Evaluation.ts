import { EMOTIONS, isEmotion, type Emotion } from "@moodlens/shared";
import type { EvaluationResolvers } from "../generated/graphql";

interface StoredClassMetrics {
  precision?: number;
  recall?: number;
  f1?: number;
  support?: number;
}

/** Labels of the stored confusion matrix: the per-class keys in EMOTIONS order when complete, else EMOTIONS. */
function labelsOf(perClass: unknown): Emotion[] {
  const keys = perClass && typeof perClass === "object" ? Object.keys(perClass).filter(isEmotion) : [];
  return keys.length ? EMOTIONS.filter((emotion) => keys.includes(emotion)) : [...EMOTIONS];
}

export const Evaluation: EvaluationResolvers = {
  perClass: (evaluation) => {
    const perClass = (evaluation.perClass ?? {}) as Record<string, StoredClassMetrics>;
    return labelsOf(perClass).map((emotion) => {
      const metrics = perClass[emotion] ?? {};
      return { emotion, precision: metrics.precision ?? 0, recall: metrics.recall ?? 0, f1: metrics.f1 ?? 0, support: metrics.support ?? 0 };
    });
  },
  confusion: (evaluation) => (Array.isArray(evaluation.confusion) ? (evaluation.confusion as number[][]) : []),
  labels: (evaluation) => labelsOf(evaluation.perClass),
};
