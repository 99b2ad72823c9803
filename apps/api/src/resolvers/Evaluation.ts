import { EMOTIONS, isEmotion, type Emotion } from "@moodlens/shared";
import type { EvaluationResolvers } from "../generated/graphql";

interface StoredClassMetrics {
  precision?: number;
  recall?: number;
  f1?: number;
  support?: number;
}

/** @moodlens/db stores the matrix as { labels, matrix, skipped }; older rows may hold the bare matrix. */
function confusionOf(value: unknown): { labels: Emotion[]; matrix: number[][] } {
  if (Array.isArray(value)) return { labels: [...EMOTIONS], matrix: value as number[][] };
  const stored = (value ?? {}) as { labels?: unknown; matrix?: unknown };
  const labels = Array.isArray(stored.labels)
    ? stored.labels.filter((label): label is Emotion => typeof label === "string" && isEmotion(label))
    : [];
  return {
    labels: labels.length ? labels : [...EMOTIONS],
    matrix: Array.isArray(stored.matrix) ? (stored.matrix as number[][]) : [],
  };
}

export const Evaluation: EvaluationResolvers = {
  perClass: (evaluation) => {
    const perClass = (evaluation.perClass ?? {}) as Record<string, StoredClassMetrics>;
    return confusionOf(evaluation.confusion).labels.map((emotion) => {
      const metrics = perClass[emotion] ?? {};
      return {
        emotion,
        precision: metrics.precision ?? 0,
        recall: metrics.recall ?? 0,
        f1: metrics.f1 ?? 0,
        support: metrics.support ?? 0,
      };
    });
  },
  confusion: (evaluation) => confusionOf(evaluation.confusion).matrix,
  labels: (evaluation) => confusionOf(evaluation.confusion).labels,
};
