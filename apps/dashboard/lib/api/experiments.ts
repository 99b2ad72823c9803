import { ApiError, gql } from "../graphql";
import {
  COMPARE_RUNS_QUERY,
  MODELS_QUERY,
  RUN_QUERY,
  PROMOTE_MODEL_MUTATION,
  RUNS_QUERY,
  RUNS_QUERY_WITHOUT_TAGS,
} from "./documents";
import type {
  ComparedRun,
  ExperimentSummary,
  ModelVersion,
  RunComparison,
  RunOrderField,
  RunStatusValue,
  RunSummary,
  ServedModel,
} from "./types";

export const RUN_ORDER_FIELDS: readonly RunOrderField[] = [
  "CREATED_AT",
  "FINISHED_AT",
  "VAL_ACCURACY",
  "MACRO_F1",
  "NAME",
];
export const RUN_STATUS_VALUES: readonly RunStatusValue[] = [
  "QUEUED",
  "RUNNING",
  "COMPLETED",
  "FAILED",
  "INTERRUPTED",
];

export interface RunsQuery {
  experimentId?: string;
  status?: RunStatusValue[];
  orderBy: { field: RunOrderField; direction: "ASC" | "DESC" };
}

export interface RunsData {
  experiments: ExperimentSummary[];
  runs: RunSummary[];
}

const isUnknownTagsField = (error: unknown) =>
  error instanceof ApiError && /tags/.test(error.message) && /Cannot query field|Unknown/.test(error.message);

export async function fetchRuns(query: RunsQuery): Promise<RunsData> {
  const variables = {
    filter: {
      ...(query.experimentId ? { experimentId: query.experimentId } : {}),
      ...(query.status?.length ? { status: query.status } : {}),
    },
    orderBy: query.orderBy,
  };
  try {
    return await gql<RunsData>(RUNS_QUERY, variables);
  } catch (error) {
    if (!isUnknownTagsField(error)) throw error;
    return gql<RunsData>(RUNS_QUERY_WITHOUT_TAGS, variables);
  }
}

/** Tags of a run: the API's field when it has one, else the trainer's params.tags. */
export function runTags(run: RunSummary): string[] {
  if (run.tags) return run.tags;
  const fromParams = run.params?.tags;
  return Array.isArray(fromParams) ? fromParams.filter((tag): tag is string => typeof tag === "string") : [];
}

const numberFrom = (record: Record<string, unknown> | null, ...keys: string[]): number | null => {
  for (const key of keys) {
    const value = record?.[key];
    if (typeof value === "number" && Number.isFinite(value)) return value;
  }
  return null;
};

export const runMacroF1 = (run: RunSummary) =>
  numberFrom(run.metrics, "macroF1", "valMacroF1", "testMacroF1");
export const runValAccuracy = (run: RunSummary) =>
  run.bestValAccuracy ?? numberFrom(run.metrics, "bestValAccuracy", "valAccuracy", "accuracy");

export async function fetchComparison(ids: string[]): Promise<RunComparison> {
  if (ids.length === 1) {
    // compareRuns needs 2..10 ids; a single run is shown through run(id) with the same layout.
    const data = await gql<{ run: ComparedRun | null }>(RUN_QUERY, { id: ids[0] });
    if (!data.run) throw new ApiError("NOT_FOUND", `No run with id ${ids[0]}.`);
    const params = Object.entries(data.run.params ?? {}).map(([name, value]) => ({
      name,
      values: [value],
      differs: false,
    }));
    return { runs: [data.run], params, metrics: [] };
  }
  const data = await gql<{ compareRuns: RunComparison }>(COMPARE_RUNS_QUERY, { ids });
  return data.compareRuns;
}

export interface ModelsData {
  modelVersions: ModelVersion[];
  servedModel: ServedModel;
}

export function fetchModels(): Promise<ModelsData> {
  return gql<ModelsData>(MODELS_QUERY);
}

export async function promoteModel(version: string): Promise<ModelVersion> {
  const data = await gql<{ promoteModel: ModelVersion }>(PROMOTE_MODEL_MUTATION, { version });
  return data.promoteModel;
}
