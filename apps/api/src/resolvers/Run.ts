import type { RunResolvers } from "../generated/graphql";

export const Run: RunResolvers = {
  experiment: (run, _args, { loaders }) => loaders.experimentById.load(run.experimentId),
  params: (run) => run.params ?? {},
  metrics: (run) => run.metrics ?? null,
  tags: (run) => run.tags ?? [],
  bestValAccuracy: async (run, _args, { loaders }) => {
    if (run.bestValAccuracy !== undefined) return run.bestValAccuracy;
    const epochs = await loaders.epochsByRunId.load(run.id);
    return epochs.reduce<number | null>(
      (best, epoch) =>
        epoch.valAccuracy !== null && (best === null || epoch.valAccuracy > best) ? epoch.valAccuracy : best,
      null,
    );
  },
  epochCount: async (run, _args, { loaders }) =>
    run.epochCount ?? (await loaders.epochsByRunId.load(run.id)).length,
  epochs: (run, _args, { loaders }) => loaders.epochsByRunId.load(run.id),
  evaluations: (run, _args, { loaders }) => loaders.evaluationsByRunId.load(run.id),
  modelVersions: (run, _args, { loaders }) => loaders.modelVersionsByRunId.load(run.id),
};
