// A randomly initialised classifier saved like a trained one: for contracts, shapes and leaks only.
// Never assert accuracy with it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { saveModelArtifacts, type ModelMetadataInput } from "../src/artifacts";
import { buildNetwork } from "../src/networks";
import { lcg } from "./fixtures";

export const FIXTURE_TEMPERATURE = 1.7;

/**
 * tfjs draws initial weights from Math.random: a fixed stream while the network is built makes the fixture the same
 * network on every run, so a test that needs its output to react to an input (the input filter's) cannot be flaky.
 */
function buildFixtureNetwork() {
  const next = lcg(20261207);
  const original = Math.random;
  Math.random = () => next() / 2 ** 32;
  try {
    return buildNetwork({ architecture: "compact" });
  } finally {
    Math.random = original;
  }
}

/** `metadata` adds to or overrides the recorded metadata (e.g. an inputFilter). */
export async function saveRandomModel(
  metadata: Partial<ModelMetadataInput> = {},
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "moodlens-analyzer-"));
  const model = buildFixtureNetwork();
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
