import type { QueryResolvers } from "../generated/graphql";
import { requireScope } from "../auth/scopes";
import { getAnalysis, listAnalyses } from "../services/analysis-read";
import { checkReadiness } from "../services/health";
import { getDimension, getEmotionBreakdown, getEmotionStats, toDbFilter } from "../services/stats";
import * as experiments from "../services/experiments";
import * as models from "../services/models";
import { videoJobQueries } from "./VideoJob";

export const Query: QueryResolvers = {
  ...videoJobQueries,
  health: async (_parent, _args, { runtime }) => {
    const readiness = await checkReadiness(runtime);
    const { limits } = runtime.config;
    return {
      status: readiness.ready ? "ok" : "degraded",
      backend: readiness.model.backend,
      modelLoaded: readiness.model.loaded,
      modelVersion: readiness.model.version,
      modelError: readiness.model.error ?? null,
      databaseReachable: readiness.database.reachable,
      databaseKind: readiness.database.kind,
      version: runtime.version,
      limits: {
        maxBatchSize: limits.maxBatchSize,
        maxImageBytes: limits.maxImageBytes,
        maxImagePixels: limits.maxImagePixels,
        maxQueryDepth: limits.maxQueryDepth,
        maxQueryCost: limits.maxQueryCost,
        minGroupSize: runtime.config.minGroupSize,
      },
    };
  },
  me: (_parent, _args, { viewer }) => viewer,
  viewer: (_parent, _args, { viewer }) => viewer,

  analysis: (_parent, { id }, context) => {
    requireScope(context.viewer, "read:stats");
    return getAnalysis(context, id);
  },
  analyses: (_parent, { filter, first, after }, context) => {
    requireScope(context.viewer, "read:stats");
    return listAnalyses(context, toDbFilter(filter), { first: first ?? undefined, after: after ?? null });
  },

  emotionStats: (_parent, { filter, bucket }, context) => {
    requireScope(context.viewer, "read:stats");
    return getEmotionStats(context, filter, bucket ?? "DAY");
  },
  emotionBreakdown: (_parent, { filter, by }, context) => {
    requireScope(context.viewer, "read:stats");
    return getEmotionBreakdown(context, filter, by);
  },
  sources: (_parent, _args, context) => {
    requireScope(context.viewer, "read:stats");
    return getDimension(context, "source");
  },
  campaigns: (_parent, _args, context) => {
    requireScope(context.viewer, "read:stats");
    return getDimension(context, "campaign");
  },

  experiments: (_parent, _args, context) => {
    requireScope(context.viewer, "read:experiments");
    return experiments.listExperiments(context);
  },
  experiment: (_parent, { id }, context) => {
    requireScope(context.viewer, "read:experiments");
    return experiments.getExperiment(context, id);
  },
  runs: (_parent, { filter, orderBy, first }, context) => {
    requireScope(context.viewer, "read:experiments");
    return experiments.listRuns(context, filter ?? null, orderBy ?? null, first ?? 100);
  },
  run: (_parent, { id }, context) => {
    requireScope(context.viewer, "read:experiments");
    return experiments.getRun(context, id);
  },
  compareRuns: (_parent, { ids }, context) => {
    requireScope(context.viewer, "read:experiments");
    return experiments.compareRuns(context, ids);
  },

  modelVersions: (_parent, _args, context) => {
    requireScope(context.viewer, "read:experiments");
    return models.listModelVersions(context);
  },
  activeModel: (_parent, _args, context) => {
    requireScope(context.viewer, "read:experiments");
    return models.getActiveModel(context);
  },
  servedModel: (_parent, _args, context) => models.getServedModel(context),
};
