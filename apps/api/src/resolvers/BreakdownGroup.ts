import type { BreakdownGroupResolvers } from "../generated/graphql";
import { analysisCount } from "./analysis-count";

export const BreakdownGroup: BreakdownGroupResolvers = {
  analyses: (group, _args, context) => analysisCount(context, group.countFilter),
};
