import type { MutationResolvers } from "../generated/graphql";
import { requireScope } from "../auth/scopes";
import { analyzeBatch, analyzeImage } from "../services/analysis";
import * as models from "../services/models";
import { videoJobMutations } from "./VideoJob";

export const Mutation: MutationResolvers = {
  ...videoJobMutations,
  ping: () => true,
  analyzeImage: (_parent, { input }, context) => {
    requireScope(context.viewer, "analyze");
    return analyzeImage(context, input);
  },
  analyzeImages: async (_parent, { inputs }, context) => {
    requireScope(context.viewer, "analyze");
    const results = await analyzeBatch(context, inputs);
    return {
      results: results.map((result) =>
        result.analysis
          ? { __typename: "AnalyzeImageSuccess" as const, index: result.index, analysis: result.analysis }
          : { __typename: "AnalyzeImageError" as const, index: result.index, ...result.error! },
      ),
      succeeded: results.filter((result) => result.analysis).length,
      failed: results.filter((result) => !result.analysis).length,
    };
  },
  promoteModel: (_parent, { version }, context) => {
    requireScope(context.viewer, "admin");
    return models.promoteModel(context, version);
  },
};
