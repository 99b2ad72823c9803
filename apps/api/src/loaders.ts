import DataLoader from "dataloader";
import type { Evaluation, Experiment, ModelVersion, Run } from "@moodlens/db";
import { countAnalyses, type Db, type EpochMetric } from "@moodlens/db";
import { faceFromRow, type DbAnalysisFilter, type FaceView } from "./resolvers/mappers";

/** Groups rows by key in the order of `keys` (DataLoader's contract). */
function groupBy<K, T>(keys: readonly K[], rows: T[], keyOf: (row: T) => K): T[][] {
  const groups = new Map<K, T[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}

function byId<T extends { id: string }>(keys: readonly string[], rows: T[]): (T | null)[] {
  const found = new Map(rows.map((row) => [row.id, row]));
  return keys.map((key) => found.get(key) ?? null);
}

/**
 * Per-request batching and caching (a new set for every request, so no data leaks between callers or goes stale).
 * Lists of runs with their experiments, epochs and model versions cost one query per relation, not one per row.
 */
export function createLoaders(db: Db) {
  const { prisma } = db;
  return {
    /** Analysis counts per filter; the overview asks for the same ranges more than once (current vs previous). */
    analysisCount: new DataLoader<DbAnalysisFilter, number, string>(
      (filters) => Promise.all(filters.map((filter) => countAnalyses(prisma, filter))),
      { cacheKeyFn: (filter) => JSON.stringify(filter), maxBatchSize: 8 },
    ),
    facesByAnalysisId: new DataLoader<string, FaceView[]>(async (ids) => {
      const rows = await prisma.face.findMany({ where: { analysisId: { in: [...ids] } }, orderBy: [{ analysisId: "asc" }, { index: "asc" }] });
      return groupBy(ids, rows, (row) => row.analysisId).map((faces) => faces.map(faceFromRow));
    }),
    experimentById: new DataLoader<string, Experiment | null>(async (ids) =>
      byId(ids, await prisma.experiment.findMany({ where: { id: { in: [...ids] } } })),
    ),
    runById: new DataLoader<string, Run | null>(async (ids) => byId(ids, await prisma.run.findMany({ where: { id: { in: [...ids] } } }))),
    runsByExperimentId: new DataLoader<string, Run[]>(async (ids) => {
      const rows = await prisma.run.findMany({ where: { experimentId: { in: [...ids] } }, orderBy: { createdAt: "desc" } });
      return groupBy(ids, rows, (row) => row.experimentId);
    }),
    epochsByRunId: new DataLoader<string, EpochMetric[]>(async (ids) => {
      const rows = await prisma.epochMetric.findMany({ where: { runId: { in: [...ids] } }, orderBy: [{ runId: "asc" }, { epoch: "asc" }] });
      return groupBy(ids, rows, (row) => row.runId);
    }),
    evaluationsByRunId: new DataLoader<string, Evaluation[]>(async (ids) => {
      const rows = await prisma.evaluation.findMany({ where: { runId: { in: [...ids] } }, orderBy: { createdAt: "asc" } });
      return groupBy(ids, rows, (row) => row.runId ?? "");
    }),
    modelVersionsByRunId: new DataLoader<string, ModelVersion[]>(async (ids) => {
      const rows = await prisma.modelVersion.findMany({ where: { runId: { in: [...ids] } }, orderBy: { createdAt: "desc" } });
      return groupBy(ids, rows, (row) => row.runId ?? "");
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
