import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@moodlens/shared";
import { tf } from "../src/tf";
import {
  loadModelArtifacts,
  modelWeightsDigest,
  saveModelArtifacts,
  weightShardNames,
  type ModelMetadataInput,
} from "../src/artifacts";
import { selectBackend } from "../src/backend";
import { buildNetwork } from "../src/networks";

let root: string;
const metadataInput: ModelMetadataInput = {
  architecture: "compact",
  hyperparameters: { blockFilters: [8, 16] },
  runId: "test-run",
  datasetFingerprint: "abc123",
  metrics: { valAccuracy: 0.5 },
};

beforeAll(async () => {
  await selectBackend("wasm", { logger: () => {} });
  root = await mkdtemp(join(tmpdir(), "moodlens-artifacts-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const smallNetwork = () => buildNetwork({ architecture: "compact", blockFilters: [8, 16] });
const batch = () => tf.randomUniform([4, 48, 48, 1], 0, 1, "float32", 42);

async function expectAppError(promise: Promise<unknown>, code: string, mentions: string) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  expect((error as AppError).message).toContain(mentions);
}

describe("model artifacts", () => {
  it("round-trips to identical predictions and complete metadata", async () => {
    const dir = join(root, "round-trip");
    const model = smallNetwork();
    const saved = await saveModelArtifacts(model, dir, metadataInput, { onnx: new Uint8Array([1, 2, 3]) });
    expect(saved.labels).toEqual(["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]);
    expect(saved.temperature).toBe(1);
    expect(saved.weightsSha256).toMatch(/^[0-9a-f]{64}$/);

    const loaded = await loadModelArtifacts(dir);
    expect(loaded.metadata).toEqual(saved);
    expect(loaded.onnxPath).toBe(join(dir, "model.onnx"));
    const input = batch();
    const before = (model.predict(input) as tf.Tensor).dataSync();
    const after = (loaded.model.predict(input) as tf.Tensor).dataSync();
    expect(Array.from(after)).toEqual(Array.from(before));
    model.dispose();
    loaded.model.dispose();
  });

  it("splits large weights into shards that load to the same predictions, and drops stale weights files", async () => {
    expect(weightShardNames(10, 16)).toEqual(["weights.bin"]);
    expect(weightShardNames(33, 16)).toEqual(["weights-1of3.bin", "weights-2of3.bin", "weights-3of3.bin"]);
    const dir = join(root, "sharded");
    const model = smallNetwork();
    // Saved whole first, then over it in shards: the old weights.bin must not linger beside the shards.
    const whole = await saveModelArtifacts(model, dir, metadataInput);
    const size = (await stat(join(dir, "weights.bin"))).size;
    const shardBytes = Math.ceil(size / 3);
    const sharded = await saveModelArtifacts(model, dir, metadataInput, { shardBytes });
    expect(sharded.weightsSha256).toBe(whole.weightsSha256);
    const files = (await readdir(dir)).filter((name) => name.endsWith(".bin")).sort();
    expect(files).toEqual(["weights-1of3.bin", "weights-2of3.bin", "weights-3of3.bin"]);
    for (const file of files) expect((await stat(join(dir, file))).size).toBeLessThanOrEqual(shardBytes);
    expect(modelWeightsDigest(dir)).toBe(whole.weightsSha256);

    const loaded = await loadModelArtifacts(dir);
    const input = batch();
    const before = (model.predict(input) as tf.Tensor).dataSync();
    const after = (loaded.model.predict(input) as tf.Tensor).dataSync();
    expect(Array.from(after)).toEqual(Array.from(before));
    loaded.model.dispose();

    // A shard gone or changed is refused, naming it; a manifest that points outside the folder too.
    const second = join(dir, "weights-2of3.bin");
    const bytes = await readFile(second);
    await rm(second);
    await expectAppError(loadModelArtifacts(dir), "MODEL_INVALID", "weights-2of3.bin: is missing");
    bytes[0] = bytes[0]! ^ 0xff;
    await writeFile(second, bytes);
    await expectAppError(loadModelArtifacts(dir), "MODEL_INVALID", "of all 3 weights files");
    const topologyPath = join(dir, "model.json");
    const topology = JSON.parse(await readFile(topologyPath, "utf8")) as {
      weightsManifest: { paths: string[] }[];
    };
    topology.weightsManifest[0]!.paths[0] = "../weights.bin";
    await writeFile(topologyPath, JSON.stringify(topology));
    await expectAppError(loadModelArtifacts(dir), "MODEL_INVALID", "names no valid weights files");
    model.dispose();
  });

  it("refuses tampered weights, swapped labels and a tampered onnx file", async () => {
    const dir = join(root, "tampered");
    await saveModelArtifacts(smallNetwork(), dir, metadataInput, { onnx: new Uint8Array([1, 2, 3]) });
    const weightsPath = join(dir, "weights.bin");
    const original = await readFile(weightsPath);
    const flipped = Buffer.from(original);
    flipped[100] = flipped[100]! ^ 0xff;
    await writeFile(weightsPath, flipped);
    await expectAppError(loadModelArtifacts(dir), "MODEL_INVALID", "weights.bin");
    await writeFile(weightsPath, original);

    const metadataPath = join(dir, "metadata.json");
    const metadata = JSON.parse(await readFile(metadataPath, "utf8")) as { labels: string[] };
    const good = JSON.stringify(metadata);
    [metadata.labels[0], metadata.labels[3]] = [metadata.labels[3]!, metadata.labels[0]!];
    await writeFile(metadataPath, JSON.stringify(metadata));
    await expectAppError(loadModelArtifacts(dir), "MODEL_INVALID", "labels");
    await writeFile(metadataPath, good);

    await writeFile(join(dir, "model.onnx"), new Uint8Array([9, 9, 9]));
    await expectAppError(loadModelArtifacts(dir), "MODEL_INVALID", "model.onnx");
  });

  it("reports a missing model as MODEL_NOT_TRAINED", async () => {
    await expectAppError(loadModelArtifacts(join(root, "nothing-here")), "MODEL_NOT_TRAINED", "nothing-here");
  });
});
