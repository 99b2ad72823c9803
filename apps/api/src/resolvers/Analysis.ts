import type { AnalysisResolvers } from "../generated/graphql";

const TIMING_FIELDS = ["decodeMs", "detectMs", "classifyMs", "explainMs"] as const;

export const Analysis: AnalysisResolvers = {
  faces: async (analysis, _args, { loaders }) => analysis.faces ?? loaders.facesByAnalysisId.load(analysis.id),
  timings: (analysis) => {
    const timings = analysis.timings;
    if (!timings || typeof timings.totalMs !== "number") return null;
    return { ...Object.fromEntries(TIMING_FIELDS.map((field) => [field, timings[field] ?? null])), totalMs: timings.totalMs };
  },
};
