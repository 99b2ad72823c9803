import type { ExperimentResolvers } from "../generated/graphql";

export const Experiment: ExperimentResolvers = {
  runCount: async (experiment, _args, { loaders }) =>
    experiment.runCount ?? (await loaders.runsByExperimentId.load(experiment.id)).length,
  runs: async (experiment, { orderBy }, { loaders }) => {
    const runs = await loaders.runsByExperimentId.load(experiment.id);
    const sign = orderBy?.direction === "ASC" ? 1 : -1;
    if (orderBy?.field === "NAME") return [...runs].sort((a, b) => sign * a.name.localeCompare(b.name));
    if (orderBy?.field === "FINISHED_AT") {
      return [...runs].sort((a, b) =>
        a.finishedAt && b.finishedAt
          ? sign * (a.finishedAt.getTime() - b.finishedAt.getTime())
          : a.finishedAt
            ? -1
            : 1,
      );
    }
    return orderBy?.direction === "ASC" ? [...runs].reverse() : runs;
  },
  bestRun: async (experiment, _args, { loaders }) => {
    const runs = await loaders.runsByExperimentId.load(experiment.id);
    const best = await Promise.all(
      runs.map(async (run) => ({ run, epochs: await loaders.epochsByRunId.load(run.id) })),
    );
    let winner: { id: string; value: number } | null = null;
    for (const { run, epochs } of best) {
      for (const epoch of epochs) {
        if (epoch.valAccuracy !== null && (!winner || epoch.valAccuracy > winner.value))
          winner = { id: run.id, value: epoch.valAccuracy };
      }
    }
    return winner ? (runs.find((run) => run.id === winner.id) ?? null) : null;
  },
};
