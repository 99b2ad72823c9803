import type { MutationResolvers } from "../generated/graphql";
import { requireScope } from "../auth/scopes";
import { analyzeBatch, analyzeImage } from "../services/analysis";
import * as models from "../services/models";
import { frameMutations } from "./FrameAnalysis";
import { videoJobMutations } from "./VideoJob";
import { requestFromInput } from "./analyze-input";

export const Mutation: MutationResolvers = {
  ...videoJobMutations,
  ...frameMutations,
  ping: () => true,
  analyzeImage: (_parent, { input }, context) => {
    requireScope(context.viewer, "analyze");
    return analyzeImage(context, requestFromInput(input, context.runtime.config.limits.maxImageBytes));
  },
  analyzeImages: async (_parent, { inputs }, context) => {
    requireScope(context.viewer, "analyze");
    const { maxImageBytes } = context.runtime.config.limits;
    const results = await analyzeBatch(context, inputs, (input) => requestFromInput(input, maxImageBytes));
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
