import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@moodlens/shared";
import { tf } from "../src/tf";
import { loadModelArtifacts, saveModelArtifacts, type ModelMetadataInput } from "../src/artifacts";
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
