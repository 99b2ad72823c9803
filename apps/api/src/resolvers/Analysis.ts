import type { AnalysisResolvers } from "../generated/graphql";
import { publicTimings } from "../services/analysis-view";

export const Analysis: AnalysisResolvers = {
  faces: async (analysis, _args, { loaders }) =>
    analysis.faces ?? loaders.facesByAnalysisId.load(analysis.id),
  timings: (analysis) => publicTimings(analysis.timings),
};
