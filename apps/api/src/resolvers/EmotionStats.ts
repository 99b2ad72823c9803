import type { EmotionStatsResolvers } from "../generated/graphql";
import { analysisCount } from "./analysis-count";

export const EmotionStats: EmotionStatsResolvers = {
  totalAnalyses: async (stats, _args, context) => (await analysisCount(context, stats.filter)) ?? 0,
};
