// Int8 serving (onnx/quantize.ts): the shipped weights quantized with ranges measured on FER-2013 *training* faces,
// judged on PublicTest faces against the same float weights, and served by the analyzer through the load-time check.
import { createHash } from "node:crypto";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMOTIONS } from "@moodlens/shared";
import { DEFAULT_MODEL_DIR, createFaceAnalyzer } from "../src/analyzer";
import { loadModelArtifacts, saveModelArtifacts, type ModelMetadata } from "../src/artifacts";
import { selectBackend } from "../src/backend";
import { buildOnnxGraph, exportOnnx } from "../src/onnx/export";
import { measureActivationRanges } from "../src/onnx/activation-ranges";
import { createOnnxClassifier, loadOnnxRuntime } from "../src/onnx/classifier";
import { encodeModel } from "../src/onnx/onnx-proto";
import { quantizeGraph } from "../src/onnx/quantize";
import { preprocessCrop } from "../src/preprocess";
import type { tf } from "../src/tf";
import { FER_VAL_DIR, GROUP_PHOTOS_DIR, SHARED_DIR } from "./group-photos";

const FER_TRAIN_DIR = join(SHARED_DIR, "datasets", "fer2013", "train");

/** The first `perClass` files (sorted) of each class folder, as 48x48 crops, with their labels. */
async function ferCrops(root: string, perClass: number) {
  const crops: Uint8Array[] = [];
  const labels: number[] = [];
  for (const [label, emotion] of EMOTIONS.entries()) {
    const files = (await readdir(join(root, emotion))).sort().slice(0, perClass);
    crops.push(...(await Promise.all(files.map((file) => preprocessCrop(join(root, emotion, file))))));
    labels.push(...files.map(() => label));
  }
  return { crops, labels };
}

const argmax = (row: ArrayLike<number>) => Array.from(row).indexOf(Math.max(...Array.from(row)));

let model: tf.LayersModel;
let metadata: ModelMetadata;
let ranges: Record<string, number>;
let trainingCrops: Uint8Array[];
let dir: string;

beforeAll(async () => {
  await selectBackend("wasm", { logger: () => {} });
  ({ model, metadata } = await loadModelArtifacts(DEFAULT_MODEL_DIR));
  trainingCrops = (await ferCrops(FER_TRAIN_DIR, 20)).crops;
  ranges = await measureActivationRanges(model, trainingCrops);
  dir = await mkdtemp(join(tmpdir(), "moodlens-int8-"));
}, 120_000);

afterAll(async () => {
  model?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("int8 quantization of the shipped classifier", () => {
  it("runs as integer convolutions and answers like the float weights on PublicTest faces", async () => {
    const { crops, labels } = await ferCrops(FER_VAL_DIR, 30);
    const bytes = exportOnnx(model, { quantization: { activationRanges: ranges } });
    const optimized = join(dir, "optimized.onnx");
    const ort = (await loadOnnxRuntime())!;
    const session = await ort.InferenceSession.create(bytes, {
      graphOptimizationLevel: "all",
      optimizedModelFilePath: optimized,
    });
    await session.release();
    const int8 = await createOnnxClassifier(bytes);
    const float = await createOnnxClassifier(exportOnnx(model));
    const [int8Rows, floatRows] = [await int8.classify(crops), await float.classify(crops)];
    await Promise.all([int8.dispose(), float.dispose()]);
    // onnxruntime fused every quantized conv into QLinearConv: the integer kernels are what runs.
    const graph = new TextDecoder("latin1").decode(await readFile(optimized));
    expect(graph.match(/QLinearConv/g)?.length).toBeGreaterThanOrEqual(8);
    const agree = int8Rows.filter((row, i) => argmax(row) === argmax(floatRows[i]!)).length / crops.length;
    expect(agree).toBeGreaterThan(0.95);
    const accuracy = (rows: Float32Array[]) =>
      rows.filter((row, i) => argmax(row) === labels[i]).length / crops.length;
    expect(Math.abs(accuracy(int8Rows) - accuracy(floatRows))).toBeLessThan(0.03);
  }, 120_000);

  it("is a pure rewrite: the float graph is left as it was and the same ranges give the same bytes", () => {
    const graph = buildOnnxGraph(model);
    const before = encodeModel(graph, "test");
    const first = encodeModel(quantizeGraph(graph, new Map(Object.entries(ranges))), "test");
    const second = encodeModel(quantizeGraph(graph, new Map(Object.entries(ranges))), "test");
    expect(Buffer.compare(encodeModel(graph, "test"), before)).toBe(0);
    expect(Buffer.compare(first, second)).toBe(0);
    expect(() => quantizeGraph(graph, new Map())).toThrow(/no calibrated range/);
  });

  it("is served by the analyzer when metadata records it, and refused when the graph belongs to other weights", async () => {
    const served = join(dir, "served");
    const input = {
      architecture: metadata.architecture,
      hyperparameters: metadata.hyperparameters,
      runId: metadata.runId,
      datasetFingerprint: metadata.datasetFingerprint,
      metrics: metadata.metrics,
      temperature: metadata.temperature,
      ...(metadata.classBias ? { classBias: metadata.classBias } : {}),
      onnxQuantization: {
        kind: "int8" as const,
        activationRanges: ranges,
        calibrationData: "../shared/datasets/fer2013/train",
        calibrationImages: 140,
      },
    };
    const calibration = {
      temperature: metadata.temperature,
      ...(metadata.classBias ? { classBias: metadata.classBias } : {}),
    };
    const onnx = exportOnnx(model, { ...calibration, quantization: input.onnxQuantization });
    await saveModelArtifacts(model, served, input, { onnx });
    const photo = await readFile(join(GROUP_PHOTOS_DIR, "2007_007763.jpg"));
    const analyzer = await createFaceAnalyzer({ modelDir: served, backend: "wasm" });
    expect(analyzer.info.model.classifier).toBe("onnx");
    expect(analyzer.info.model.precision).toBe("int8");
    expect((await analyzer.analyze(photo)).faces.length).toBeGreaterThan(0);
    await analyzer.dispose();

    // The int8 graph of the previous shipped network next to these weights: a stale export must not be served.
    const stale = join(dir, "stale");
    await cp(served, stale, { recursive: true });
    const other = await loadModelArtifacts(
      join(DEFAULT_MODEL_DIR, "..", "training", "20261207-0010-fer2013-vgg48-reframe", "model"),
    );
    const otherRanges = await measureActivationRanges(other.model, trainingCrops);
    const staleBytes = exportOnnx(other.model, {
      ...calibration,
      quantization: { activationRanges: otherRanges },
    });
    other.model.dispose();
    await writeFile(join(stale, "model.onnx"), staleBytes);
    // Its hash recorded too, so that only the comparison with the weights can catch it.
    const staleMetadata = JSON.parse(await readFile(join(stale, "metadata.json"), "utf8")) as ModelMetadata;
    staleMetadata.onnxSha256 = createHash("sha256").update(staleBytes).digest("hex");
    await writeFile(join(stale, "metadata.json"), JSON.stringify(staleMetadata));
    const lines: string[] = [];
    const fallback = await createFaceAnalyzer({
      modelDir: stale,
      backend: "wasm",
      logger: (line) => lines.push(line),
    });
    expect(fallback.info.model.classifier).toBe("tfjs");
    expect(fallback.info.model.precision).toBe("float32");
    expect(lines.join("\n")).toMatch(/model\.onnx does not match weights\.bin/);
    await fallback.dispose();
  }, 180_000);
});
