/**
 * Experiment tracking for the trainer: experiments group runs; a run records its parameters, the code and data it
 * used, one row per epoch (upserted, so a resumed run overwrites rather than duplicates an epoch) and evaluations.
 */
import { AppError, type EpochLog, type EvaluationReport, type RunStatus } from "@moodlens/shared";
import {
  Prisma,
  type EpochMetric,
  type Evaluation,
  type Experiment,
  type ModelVersion,
  type Run,
} from "./generated/prisma/client";
import type { DbClient } from "./types";
import { badInput } from "./validate";

type JsonObject = Record<string, unknown>;
const json = (value: unknown): Prisma.InputJsonValue => value as Prisma.InputJsonValue;
const FINISHED: readonly RunStatus[] = ["completed", "failed", "interrupted"];

export interface UpsertExperimentInput {
  name: string;
  description?: string | null;
  tags?: string[];
}

export async function upsertExperiment(prisma: DbClient, input: UpsertExperimentInput): Promise<Experiment> {
  const name = input.name.trim();
  if (!name || name.length > 200) throw badInput("an experiment needs a name of 1..200 characters");
  const data = {
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.tags !== undefined ? { tags: input.tags } : {}),
  };
  return prisma.experiment.upsert({ where: { name }, create: { name, ...data }, update: data });
}

export interface CreateRunInput {
  /** Id chosen by the trainer (e.g. the folder name under .data/runs); a uuid when absent. */
  id?: string;
  /** The experiment, by name (created when missing) or id. */
  experiment: { name: string } | { id: string };
  name: string;
  status?: RunStatus;
  params?: JsonObject;
  architecture?: string | null;
  backend?: string | null;
  codeVersion?: string | null;
  datasetFingerprint?: string | null;
  seed?: number | null;
  tags?: string[];
  notes?: string | null;
  startedAt?: Date | null;
}

export async function createRun(prisma: DbClient, input: CreateRunInput): Promise<Run> {
  const experimentId =
    "id" in input.experiment
      ? input.experiment.id
      : (await upsertExperiment(prisma, { name: input.experiment.name })).id;
  const status = input.status ?? "running";
  return prisma.run.create({
    data: {
      ...(input.id ? { id: input.id } : {}),
      experimentId,
      name: input.name,
      status,
      params: json(input.params ?? {}),
      architecture: input.architecture ?? null,
      backend: input.backend ?? null,
      codeVersion: input.codeVersion ?? null,
      datasetFingerprint: input.datasetFingerprint ?? null,
      seed: input.seed ?? null,
      tags: input.tags ?? [],
      notes: input.notes ?? null,
      startedAt: input.startedAt ?? (status === "running" ? new Date() : null),
    },
  });
}

export interface UpdateRunInput {
  name?: string;
  status?: RunStatus;
  params?: JsonObject;
  architecture?: string | null;
  backend?: string | null;
  codeVersion?: string | null;
  datasetFingerprint?: string | null;
  seed?: number | null;
  tags?: string[];
  metrics?: JsonObject | null;
  startedAt?: Date | null;
  finishedAt?: Date | null;
  durationSeconds?: number | null;
  imagesPerSec?: number | null;
  cpuShare?: number | null;
  bestEpoch?: number | null;
  error?: string | null;
  notes?: string | null;
}

/**
 * Updates a run. Moving to a finished status (completed/failed/interrupted) stamps finishedAt and, when the
 * caller did not give one, durationSeconds from startedAt. Moving back to running (a resume) clears finishedAt.
 */
export async function updateRun(prisma: DbClient, id: string, patch: UpdateRunInput): Promise<Run> {
  const current = await prisma.run.findUnique({ where: { id } });
  if (!current) throw new AppError("NOT_FOUND", `no run with id "${id}"`);
  const data: Prisma.RunUpdateInput = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    (data as Record<string, unknown>)[key] =
      key === "params"
        ? json(value)
        : key === "metrics"
          ? value === null
            ? Prisma.DbNull
            : json(value)
          : value;
  }
  if (
    patch.status &&
    FINISHED.includes(patch.status) &&
    patch.finishedAt === undefined &&
    !current.finishedAt
  ) {
    const finishedAt = new Date();
    data.finishedAt = finishedAt;
    const startedAt = patch.startedAt ?? current.startedAt;
    if (patch.durationSeconds === undefined && startedAt)
      data.durationSeconds = (finishedAt.getTime() - startedAt.getTime()) / 1000;
  }
  if (patch.status === "running" && patch.finishedAt === undefined) data.finishedAt = null;
  return prisma.run.update({ where: { id }, data });
}

/** Stores one epoch; recording the same epoch again (a resumed run) replaces it. */
export async function recordEpoch(prisma: DbClient, runId: string, log: EpochLog): Promise<EpochMetric> {
  if (!Number.isInteger(log.epoch) || log.epoch < 0) throw badInput("epoch must be a non-negative integer");
  const values = {
    loss: log.loss,
    accuracy: log.accuracy,
    valLoss: log.valLoss,
    valAccuracy: log.valAccuracy,
    valMacroF1: log.valMacroF1 ?? null,
    learningRate: log.learningRate,
    seconds: log.seconds,
    imagesPerSec: log.imagesPerSec,
  };
  return prisma.epochMetric.upsert({
    where: { runId_epoch: { runId, epoch: log.epoch } },
    create: { runId, epoch: log.epoch, ...values },
    update: values,
  });
}

export interface RecordEvaluationInput {
  runId?: string | null;
  /** The model version (its version string) the evaluation is about. */
  modelVersion?: string | null;
  datasetName: string;
  datasetFingerprint?: string | null;
  /** e.g. "val", "test", "PrivateTest". */
  split: string;
  report: EvaluationReport;
}

export async function recordEvaluation(prisma: DbClient, input: RecordEvaluationInput): Promise<Evaluation> {
  let modelVersionId: string | null = null;
  if (input.modelVersion) {
    const version = await prisma.modelVersion.findUnique({
      where: { version: input.modelVersion },
      select: { id: true },
    });
    if (!version) throw new AppError("NOT_FOUND", `no model version "${input.modelVersion}"`);
    modelVersionId = version.id;
  }
  if (!input.runId && !modelVersionId)
    throw badInput("an evaluation belongs to a run, a model version or both");
  const { report } = input;
  return prisma.evaluation.create({
    data: {
      runId: input.runId ?? null,
      modelVersionId,
      datasetName: input.datasetName,
      datasetFingerprint: input.datasetFingerprint ?? null,
      split: input.split,
      samples: report.samples ?? null,
      accuracy: report.accuracy,
      macroF1: report.macroF1,
      perClass: json(report.perClass),
      confusion: json({ labels: report.labels, matrix: report.confusion, skipped: report.skipped }),
      ece: report.ece,
      eceAfterTemperature: report.eceAfterTemperature ?? null,
      temperature: report.temperature ?? null,
    },
  });
}

/** A run with the summary the runs table needs. */
export interface RunSummary extends Run {
  experimentName: string;
  epochCount: number;
  bestValAccuracy: number | null;
  bestValMacroF1: number | null;
  lastEpochAt: Date | null;
}

export interface RunFilter {
  experimentId?: string;
  experimentName?: string;
  status?: RunStatus | RunStatus[];
  architecture?: string;
  tag?: string;
}

export type RunOrderField =
  | "createdAt"
  | "startedAt"
  | "bestValAccuracy"
  | "bestValMacroF1"
  | "durationSeconds"
  | "imagesPerSec"
  | "name";
export interface RunOrder {
  field: RunOrderField;
  direction?: "asc" | "desc";
}

function runWhere(filter: RunFilter): Prisma.RunWhereInput {
  const where: Prisma.RunWhereInput = {};
  if (filter.experimentId) where.experimentId = filter.experimentId;
  if (filter.experimentName) where.experiment = { name: filter.experimentName };
  if (filter.status) where.status = Array.isArray(filter.status) ? { in: filter.status } : filter.status;
  if (filter.architecture) where.architecture = filter.architecture;
  if (filter.tag) where.tags = { has: filter.tag };
  return where;
}

async function summarizeRuns(
  prisma: DbClient,
  runs: (Run & { experiment: Experiment })[],
): Promise<RunSummary[]> {
  if (runs.length === 0) return [];
  const aggregates = await prisma.epochMetric.groupBy({
    by: ["runId"],
    where: { runId: { in: runs.map((run) => run.id) } },
    _count: { _all: true },
    _max: { valAccuracy: true, valMacroF1: true, createdAt: true },
  });
  const byRun = new Map(aggregates.map((row) => [row.runId, row]));
  return runs.map(({ experiment, ...run }) => {
    const aggregate = byRun.get(run.id);
    return {
      ...run,
      experimentName: experiment.name,
      epochCount: aggregate?._count._all ?? 0,
      bestValAccuracy: aggregate?._max.valAccuracy ?? null,
      bestValMacroF1: aggregate?._max.valMacroF1 ?? null,
      lastEpochAt: aggregate?._max.createdAt ?? null,
    };
  });
}

/** Runs matching the filter, ordered (default newest first); nulls sort last. At most `limit` (default 200). */
export async function listRuns(
  prisma: DbClient,
  filter: RunFilter = {},
  orderBy: RunOrder = { field: "createdAt", direction: "desc" },
  limit = 200,
): Promise<RunSummary[]> {
  const runs = await prisma.run.findMany({
    where: runWhere(filter),
    include: { experiment: true },
    orderBy: { createdAt: "desc" },
    take: limit,
  });
  const summaries = await summarizeRuns(prisma, runs);
  const sign = orderBy.direction === "asc" ? 1 : -1;
  const value = (run: RunSummary): number | string | null => {
    const v = run[orderBy.field];
    return v instanceof Date ? v.getTime() : (v as number | string | null);
  };
  return summaries.sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return (x < y ? -1 : x > y ? 1 : 0) * sign;
  });
}

export interface RunDetail extends RunSummary {
  experiment: Experiment;
  epochs: EpochMetric[];
  evaluations: Evaluation[];
  modelVersions: ModelVersion[];
}

export async function getRun(prisma: DbClient, id: string): Promise<RunDetail | null> {
  const run = await prisma.run.findUnique({
    where: { id },
    include: {
      experiment: true,
      epochs: { orderBy: { epoch: "asc" } },
      evaluations: { orderBy: { createdAt: "asc" } },
      modelVersions: { orderBy: { createdAt: "asc" } },
    },
  });
  if (!run) return null;
  const { epochs, evaluations, modelVersions, experiment, ...rest } = run;
  const [summary] = await summarizeRuns(prisma, [{ ...rest, experiment }]);
  return { ...summary!, experiment, epochs, evaluations, modelVersions };
}

export interface RunComparison {
  runs: RunDetail[];
  /** Every parameter name used by any of the runs. */
  paramKeys: string[];
  /** Parameters whose values differ between the runs (values in `runs` order; null where missing). */
  differingParams: { key: string; values: unknown[] }[];
  /** Headline metrics per run (in `runs` order) and which run is best for each. */
  metrics: { name: string; values: (number | null)[]; higherIsBetter: boolean; bestIndex: number | null }[];
}

const latestEvaluation = (run: RunDetail): Evaluation | undefined => run.evaluations.at(-1);

/** Side-by-side comparison of runs: parameter differences and headline metrics. Unknown ids are NOT_FOUND. */
export async function compareRuns(prisma: DbClient, ids: string[]): Promise<RunComparison> {
  if (ids.length < 1 || ids.length > 20) throw badInput("compare 1 to 20 runs");
  const runs: RunDetail[] = [];
  for (const id of ids) {
    const run = await getRun(prisma, id);
    if (!run) throw new AppError("NOT_FOUND", `no run with id "${id}"`);
    runs.push(run);
  }
  const params = runs.map((run) =>
    run.params && typeof run.params === "object" && !Array.isArray(run.params)
      ? (run.params as JsonObject)
      : {},
  );
  const paramKeys = [...new Set(params.flatMap((p) => Object.keys(p)))].sort();
  const differingParams = paramKeys
    .map((key) => ({ key, values: params.map((p) => (key in p ? p[key] : null)) }))
    .filter(({ values }) => new Set(values.map((v) => JSON.stringify(v))).size > 1);
  const metric = (
    name: string,
    higherIsBetter: boolean,
    pick: (run: RunDetail) => number | null | undefined,
  ) => {
    const values = runs.map((run) => pick(run) ?? null);
    let bestIndex: number | null = null;
    values.forEach((v, i) => {
      if (v === null) return;
      const best = bestIndex === null ? null : values[bestIndex]!;
      if (best === null || (higherIsBetter ? v > best : v < best)) bestIndex = i;
    });
    return { name, values, higherIsBetter, bestIndex };
  };
  const finalEpoch = (run: RunDetail) => run.epochs.at(-1);
  return {
    runs,
    paramKeys,
    differingParams,
    metrics: [
      metric("bestValAccuracy", true, (run) => run.bestValAccuracy),
      metric("bestValMacroF1", true, (run) => run.bestValMacroF1),
      metric("finalValLoss", false, (run) => finalEpoch(run)?.valLoss),
      metric("evalAccuracy", true, (run) => latestEvaluation(run)?.accuracy),
      metric("evalMacroF1", true, (run) => latestEvaluation(run)?.macroF1),
      metric("evalEce", false, (run) => latestEvaluation(run)?.ece),
      metric("epochs", true, (run) => run.epochCount),
      metric("durationSeconds", false, (run) => run.durationSeconds),
      metric("imagesPerSec", true, (run) => run.imagesPerSec),
    ],
  };
}

export interface ExperimentSummary extends Experiment {
  runCount: number;
  lastRunAt: Date | null;
  bestValAccuracy: number | null;
}

export async function listExperiments(prisma: DbClient): Promise<ExperimentSummary[]> {
  const experiments = await prisma.experiment.findMany({
    orderBy: { createdAt: "desc" },
    include: { _count: { select: { runs: true } } },
  });
  if (experiments.length === 0) return [];
  const stats = await prisma.$queryRaw<
    { experiment_id: string; last_run_at: Date | null; best: number | null }[]
  >`
    SELECT r.experiment_id, max(r.created_at) AS last_run_at, max(e.val_accuracy)::float8 AS best
    FROM run r LEFT JOIN epoch_metric e ON e.run_id = r.id
    GROUP BY r.experiment_id`;
  const byExperiment = new Map(stats.map((row) => [row.experiment_id, row]));
  return experiments.map(({ _count, ...experiment }) => ({
    ...experiment,
    runCount: _count.runs,
    lastRunAt: byExperiment.get(experiment.id)?.last_run_at ?? null,
    bestValAccuracy: byExperiment.get(experiment.id)?.best ?? null,
  }));
}
