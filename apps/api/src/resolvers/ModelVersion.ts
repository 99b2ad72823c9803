import type { ModelVersionResolvers } from "../generated/graphql";

const numberIn = (json: unknown, ...names: string[]): number | null => {
  const record = (json ?? {}) as Record<string, unknown>;
  for (const name of names) if (typeof record[name] === "number") return record[name] as number;
  return null;
};

export const ModelVersion: ModelVersionResolvers = {
  active: (version) => version.stage === "production",
  run: (version, _args, { loaders }) => (version.runId ? loaders.runById.load(version.runId) : null),
  architecture: (version) => {
    const metadata = (version.metadata ?? {}) as Record<string, unknown>;
    return typeof metadata.architecture === "string" ? metadata.architecture : null;
  },
  metrics: (version) => version.metrics ?? null,
  accuracy: (version) => numberIn(version.metrics, "accuracy", "testAccuracy", "valAccuracy"),
  macroF1: (version) => numberIn(version.metrics, "macroF1", "testMacroF1", "valMacroF1"),
};
