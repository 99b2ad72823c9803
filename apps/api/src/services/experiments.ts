import {
  compareRuns as compareRunsInDb,
  getRun as getRunFromDb,
  listExperiments as listExperimentsFromDb,
  listRuns as listRunsFromDb,
  toDatabaseError,
  type Evaluation,
  type Experiment,
  type ExperimentSummary,
  type Run,
  type RunOrderField,
  type RunSummary,
} from "@moodlens/db";
import { AppError } from "@moodlens/shared";
import type { ApiContext } from "../context";
import type { RunFilter, RunOrderBy } from "../generated/graphql";

/** Experiments come from the list (with runCount) or from a by-id load (without). */
export type ExperimentView = Experiment & Partial<Pick<ExperimentSummary, "runCount" | "bestValAccuracy">>;
/** Runs come from listRuns/getRun (with summary fields and maybe relations) or from a by-id load (plain row). */
export type RunView = Run &
  Partial<Pick<RunSummary, "epochCount" | "bestValAccuracy" | "bestValMacroF1" | "experimentName">>;
export type EvaluationView = Evaluation;

export const MAX_RUNS_PAGE = 500;
export const MAX_COMPARED_RUNS = 20;

async function db<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toDatabaseError(error);
  }
}

export const listExperiments = (context: ApiContext): Promise<ExperimentView[]> =>
  db(() => listExperimentsFromDb(context.runtime.db.prisma));

export const getExperiment = (context: ApiContext, id: string): Promise<ExperimentView | null> =>
  db(() => context.loaders.experimentById.load(id));

export const getRun = (context: ApiContext, id: string): Promise<RunView | null> =>
  db(() => getRunFromDb(context.runtime.db.prisma, id));

const ORDER_FIELDS: Record<RunOrderBy["field"], RunOrderField | null> = {
  CREATED_AT: "createdAt",
  VAL_ACCURACY: "bestValAccuracy",
  MACRO_F1: "bestValMacroF1",
  NAME: "name",
  FINISHED_AT: null,
};

export async function listRuns(
  context: ApiContext,
  filter: RunFilter | null,
  orderBy: RunOrderBy | null,
  first: number,
): Promise<RunView[]> {
  if (!Number.isInteger(first) || first < 1 || first > MAX_RUNS_PAGE) {
    throw new AppError("BAD_USER_INPUT", `first must be 1..${MAX_RUNS_PAGE}`, { details: { first } });
  }
  const direction = orderBy?.direction === "ASC" ? "asc" : "desc";
  const field = ORDER_FIELDS[orderBy?.field ?? "CREATED_AT"];
  const runs = await db(() =>
    listRunsFromDb(
      context.runtime.db.prisma,
      {
        ...(filter?.experimentId ? { experimentId: filter.experimentId } : {}),
        ...(filter?.status?.length ? { status: filter.status } : {}),
        ...(filter?.architecture ? { architecture: filter.architecture } : {}),
      },
      { field: field ?? "createdAt", direction },
      field ? first : MAX_RUNS_PAGE,
    ),
  );
  if (field) return runs;
  // finishedAt ordering (not offered by the db's list): newest/oldest finished first, unfinished last.
  const sign = direction === "asc" ? 1 : -1;
  return [...runs]
    .sort((a, b) =>
      a.finishedAt && b.finishedAt
        ? sign * (a.finishedAt.getTime() - b.finishedAt.getTime())
        : a.finishedAt
          ? -1
          : b.finishedAt
            ? 1
            : 0,
    )
    .slice(0, first);
}

export interface RunComparisonView {
  runs: RunView[];
  params: { name: string; values: unknown[]; differs: boolean }[];
  metrics: { name: string; values: (number | null)[]; bestRunId: string | null }[];
}

/** Parameter diff (differing parameters first) and headline metrics side by side (unknown ids: NOT_FOUND). */
export async function compareRuns(context: ApiContext, ids: readonly string[]): Promise<RunComparisonView> {
  const unique = [...new Set(ids)];
  if (unique.length < 2 || unique.length > MAX_COMPARED_RUNS) {
    throw new AppError(
      "BAD_USER_INPUT",
      `compare 2..${MAX_COMPARED_RUNS} distinct runs (got ${unique.length})`,
    );
  }
  const comparison = await db(() => compareRunsInDb(context.runtime.db.prisma, unique));
  const differing = new Set(comparison.differingParams.map((param) => param.key));
  const params = comparison.paramKeys.map((name) => ({
    name,
    values: comparison.runs.map((run) => {
      const params = (run.params ?? {}) as Record<string, unknown>;
      return name in params ? params[name] : null;
    }),
    differs: differing.has(name),
  }));
  params.sort((a, b) => Number(b.differs) - Number(a.differs) || a.name.localeCompare(b.name));
  return {
    runs: comparison.runs,
    params,
    metrics: comparison.metrics.map((metric) => ({
      name: metric.name,
      values: metric.values,
      bestRunId: metric.bestIndex === null ? null : (comparison.runs[metric.bestIndex]?.id ?? null),
    })),
  };
}
