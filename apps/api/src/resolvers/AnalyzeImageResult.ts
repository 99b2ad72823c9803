import type { AnalyzeImageResultResolvers } from "../generated/graphql";

export const AnalyzeImageResult: AnalyzeImageResultResolvers = {
  __resolveType: (result) =>
    "analysis" in result && result.analysis ? "AnalyzeImageSuccess" : "AnalyzeImageError",
};
