import type { SourceResolvers } from "../generated/graphql";
import { analysisCount } from "./analysis-count";

export const Source: SourceResolvers = {
  analyses: async (source, _args, context) => (await analysisCount(context, source.countFilter)) ?? 0,
};
