import DataLoader from "dataloader";
import {
  countAnalyses,
  epochsOfRuns,
  evaluationsOfRuns,
  experimentsByIds,
  facesOfAnalyses,
  modelVersionsOfRuns,
  runsByIds,
  runsOfExperiments,
  type Db,
  type EpochMetric,
  type Evaluation,
  type Experiment,
  type ModelVersion,
  type Run,
} from "@moodlens/db";
import type { DbAnalysisFilter, FaceView } from "./services/analysis-view";

/**
 * Per-request batching and caching (a new set for every request, so no data leaks between callers or goes stale).
 * Lists of runs with their experiments, epochs and model versions cost one query per relation, not one per row;
 * the batched queries themselves live in @moodlens/db (lookups.ts).
 */
export function createLoaders(db: Db) {
  const { prisma } = db;
  return {
    /** Analysis counts per filter; the overview asks for the same ranges more than once (current vs previous). */
    analysisCount: new DataLoader<DbAnalysisFilter, number, string>(
      (filters) => Promise.all(filters.map((filter) => countAnalyses(prisma, filter))),
      { cacheKeyFn: (filter) => JSON.stringify(filter), maxBatchSize: 8 },
    ),
    facesByAnalysisId: new DataLoader<string, FaceView[]>((ids) => facesOfAnalyses(prisma, ids)),
    experimentById: new DataLoader<string, Experiment | null>((ids) => experimentsByIds(prisma, ids)),
    runById: new DataLoader<string, Run | null>((ids) => runsByIds(prisma, ids)),
    runsByExperimentId: new DataLoader<string, Run[]>((ids) => runsOfExperiments(prisma, ids)),
    epochsByRunId: new DataLoader<string, EpochMetric[]>((ids) => epochsOfRuns(prisma, ids)),
    evaluationsByRunId: new DataLoader<string, Evaluation[]>((ids) => evaluationsOfRuns(prisma, ids)),
    modelVersionsByRunId: new DataLoader<string, ModelVersion[]>((ids) => modelVersionsOfRuns(prisma, ids)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
