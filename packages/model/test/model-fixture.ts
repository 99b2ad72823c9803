// A randomly initialised classifier saved like a trained one: for contracts, shapes and leaks only.
// Never assert accuracy with it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { saveModelArtifacts, type ModelMetadataInput } from "../src/artifacts";
import { buildNetwork, type NetworkConfigInput } from "../src/networks";
import type { tf } from "../src/tf";
import { lcg } from "./fixtures";

export const FIXTURE_TEMPERATURE = 1.7;

/**
 * Builds with Math.random replaced by a fixed LCG: tfjs seeds its weight initialisers from Math.random, so fresh
 * random kernels made a check on the output flaky (the ONNX parity's 0.3 confidence once read 0.26, the input
 * filter's effect once 8.6e-5 against 1e-4). The same seed gives the same network on every run.
 */
export function buildSeededNetwork(config: NetworkConfigInput, seed: number): tf.LayersModel {
  const original = Math.random;
  const next = lcg(seed);
  Math.random = () => next() / 2 ** 32;
  try {
    return buildNetwork(config);
  } finally {
    Math.random = original;
  }
}

/** `metadata` adds to or overrides the recorded metadata (e.g. an inputFilter). */
export async function saveRandomModel(
  metadata: Partial<ModelMetadataInput> = {},
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "moodlens-analyzer-"));
  const model = buildSeededNetwork({ architecture: "compact" }, 20261207);
  await saveModelArtifacts(model, dir, {
    architecture: "compact",
    hyperparameters: { note: "random weights for tests" },
    runId: "test-random-weights",
    datasetFingerprint: "none",
    metrics: {},
    temperature: FIXTURE_TEMPERATURE,
    ...metadata,
  });
  model.dispose();
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
