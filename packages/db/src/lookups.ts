/**
 * Batched lookups by many ids at once, for the API's per-request DataLoaders: one query per relation, and the
 * results in the order of the ids asked for (DataLoader's contract), a missing id as null or an empty list.
 */
import type { EpochMetric, Evaluation, Experiment, ModelVersion, Run } from "./generated/prisma/client";
import { faceFromRow, type StoredFace } from "./analyses";
import type { DbClient } from "./types";

/** Groups rows by key in the order of `keys`. */
function groupBy<K, T>(keys: readonly K[], rows: T[], keyOf: (row: T) => K): T[][] {
  const groups = new Map<K, T[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}

function byId<T extends { id: string }>(keys: readonly string[], rows: T[]): (T | null)[] {
  const found = new Map(rows.map((row) => [row.id, row]));
  return keys.map((key) => found.get(key) ?? null);
}

/** The faces of each analysis, in face order. */
export async function facesOfAnalyses(
  prisma: DbClient,
  analysisIds: readonly string[],
): Promise<StoredFace[][]> {
  const rows = await prisma.face.findMany({
    where: { analysisId: { in: [...analysisIds] } },
    orderBy: [{ analysisId: "asc" }, { index: "asc" }],
  });
  return groupBy(analysisIds, rows, (row) => row.analysisId).map((faces) => faces.map(faceFromRow));
}

export async function experimentsByIds(
  prisma: DbClient,
  ids: readonly string[],
): Promise<(Experiment | null)[]> {
  return byId(ids, await prisma.experiment.findMany({ where: { id: { in: [...ids] } } }));
}

export async function runsByIds(prisma: DbClient, ids: readonly string[]): Promise<(Run | null)[]> {
  return byId(ids, await prisma.run.findMany({ where: { id: { in: [...ids] } } }));
}

/** Each experiment's runs, newest first. */
export async function runsOfExperiments(
  prisma: DbClient,
  experimentIds: readonly string[],
): Promise<Run[][]> {
  const rows = await prisma.run.findMany({
    where: { experimentId: { in: [...experimentIds] } },
    orderBy: { createdAt: "desc" },
  });
  return groupBy(experimentIds, rows, (row) => row.experimentId);
}

/** Each run's epochs, in epoch order. */
export async function epochsOfRuns(prisma: DbClient, runIds: readonly string[]): Promise<EpochMetric[][]> {
  const rows = await prisma.epochMetric.findMany({
    where: { runId: { in: [...runIds] } },
    orderBy: [{ runId: "asc" }, { epoch: "asc" }],
  });
  return groupBy(runIds, rows, (row) => row.runId);
}

/** Each run's evaluations, oldest first. */
export async function evaluationsOfRuns(
  prisma: DbClient,
  runIds: readonly string[],
): Promise<Evaluation[][]> {
  const rows = await prisma.evaluation.findMany({
    where: { runId: { in: [...runIds] } },
    orderBy: { createdAt: "asc" },
  });
  return groupBy(runIds, rows, (row) => row.runId ?? "");
}

/** Each run's published model versions, newest first. */
export async function modelVersionsOfRuns(
  prisma: DbClient,
  runIds: readonly string[],
): Promise<ModelVersion[][]> {
  const rows = await prisma.modelVersion.findMany({
    where: { runId: { in: [...runIds] } },
    orderBy: { createdAt: "desc" },
  });
  return groupBy(runIds, rows, (row) => row.runId ?? "");
}
