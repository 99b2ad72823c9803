import type { QueryResolvers, MutationResolvers } from "../generated/graphql";
import { requireScope } from "../auth/scopes";
import { cancelVideoJob, getVideoJob, listVideoJobsView } from "../services/videos";

/**
 * Video job fields of Query and Mutation (registered in Query.ts / Mutation.ts). Reading jobs needs read:stats
 * (like analyses); cancelling needs analyze. Views are complete (services/videos.ts), so VideoJob has no field
 * resolvers of its own.
 */
export const videoJobQueries: Pick<QueryResolvers, "videoJob" | "videoJobs"> = {
  videoJob: (_parent, { id }, context) => {
    requireScope(context.viewer, "read:stats");
    return getVideoJob(context, id);
  },
  videoJobs: (_parent, { first, after, status }, context) => {
    requireScope(context.viewer, "read:stats");
    return listVideoJobsView(context, { first: first ?? null, after: after ?? null, status: status ?? null });
  },
};

export const videoJobMutations: Pick<MutationResolvers, "cancelVideoJob"> = {
  cancelVideoJob: (_parent, { id }, context) => {
    requireScope(context.viewer, "analyze");
    return cancelVideoJob(context, id);
  },
};
