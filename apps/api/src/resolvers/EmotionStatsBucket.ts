import type { EmotionStatsBucketResolvers } from "../generated/graphql";
import { analysisCount } from "./analysis-count";

export const EmotionStatsBucket: EmotionStatsBucketResolvers = {
  analyses: (bucket, _args, context) => analysisCount(context, bucket.countFilter),
};
