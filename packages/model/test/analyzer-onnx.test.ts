import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GROUP_PHOTOS_DIR } from "./group-photos";
import { loadModelArtifacts, saveModelArtifacts } from "../src/artifacts";
import { applyCalibration } from "../src/calibration";
import { selectBackend } from "../src/backend";
import { createFaceAnalyzer } from "../src/analyzer";
import { buildNetwork } from "../src/networks";
import { exportOnnx } from "../src/onnx";
import { preprocessCrop, toModelInput } from "../src/preprocess";
import { redBlue } from "./fixtures";
import { tf } from "../src/tf";

const TEMPERATURE = 1.5;
/** Strong enough to move decisions of a random net: fear raised, happy lowered. */
const CLASS_BIAS = [0, 0, 2, -2, 0, 0.5, 0];
const dirs: string[] = [];

/**
 * Saves a random compact net with model.onnx exported from `onnxSource` (default: the same net). `bake` says which
 * part of the model's calibration the export holds; `classBias` gives the model one.
 */
async function saveWithOnnx(
  options: {
    bakeTemperature?: boolean;
    bake?: "none" | "temperature" | "all";
    classBias?: number[];
    foreignOnnx?: boolean;
    nearlyUniform?: boolean;
  } = {},
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "moodlens-onnx-analyzer-"));
  dirs.push(dir);
  const model = buildNetwork({ architecture: "compact" });
  if (options.nearlyUniform) {
    // A small classifier layer: probabilities spread over ~1e-3 around 1/7 (measured), where applying the
    // temperature changes them by less than the 1e-3 agreement tolerance but far more than float error.
    const classMaps = model.getLayer("class_maps");
    const [kernel, bias] = classMaps.getWeights();
    tf.tidy(() => classMaps.setWeights([kernel!.mul(0.03), tf.zerosLike(bias!)]));
  }
  const source = options.foreignOnnx ? buildNetwork({ architecture: "compact" }) : model;
  const bake = options.bake ?? (options.bakeTemperature ? "temperature" : "none");
  const onnx = exportOnnx(
    source,
    bake === "none"
      ? {}
      : {
          temperature: TEMPERATURE,
          ...(bake === "all" && options.classBias ? { classBias: options.classBias } : {}),
        },
  );
  await saveModelArtifacts(
    model,
    dir,
    {
      architecture: "compact",
      hyperparameters: {},
      runId: "onnx-test",
      datasetFingerprint: "none",
      metrics: {},
      temperature: TEMPERATURE,
      ...(options.classBias ? { classBias: options.classBias } : {}),
    },
    { onnx },
  );
  model.dispose();
  if (source !== model) source.dispose();
  return dir;
}

let crops: Uint8Array[];
beforeAll(async () => {
  await selectBackend(undefined, { logger: () => {} });
  crops = [
    await preprocessCrop(await redBlue(96, 96).png().toBuffer()),
    await preprocessCrop(join(GROUP_PHOTOS_DIR, "kit_with_rose.jpg")),
  ];
});
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("analyzer with model.onnx", () => {
  it.each([false, true])(
    "uses ONNX and agrees with tfjs (temperature baked into the export: %s)",
    async (bake) => {
      const dir = await saveWithOnnx({ bakeTemperature: bake });
      const viaOnnx = await createFaceAnalyzer({ modelDir: dir });
      const viaTfjs = await createFaceAnalyzer({ modelDir: dir, classifier: "tfjs" });
      try {
        expect(viaOnnx.info.model.classifier).toBe("onnx");
        expect(viaTfjs.info.model.classifier).toBe("tfjs");
        for (const tta of [false, true]) {
          const a = await viaOnnx.classifyFaces(crops, { tta });
          const b = await viaTfjs.classifyFaces(crops, { tta });
          a.forEach((row, i) => row.forEach((p, k) => expect(p).toBeCloseTo(b[i]![k]!, 4)));
        }
        const result = await viaOnnx.analyze(await redBlue(200, 200).png().toBuffer());
        expect(result.model.classifier).toBe("onnx");
      } finally {
        await viaOnnx.dispose();
        await viaTfjs.dispose();
      }
    },
  );

  it("tells a baked temperature apart even when the outputs are nearly uniform", async () => {
    const dir = await saveWithOnnx({ bakeTemperature: true, nearlyUniform: true });
    const viaOnnx = await createFaceAnalyzer({ modelDir: dir });
    const viaTfjs = await createFaceAnalyzer({ modelDir: dir, classifier: "tfjs" });
    try {
      expect(viaOnnx.info.model.classifier).toBe("onnx");
      const a = await viaOnnx.classifyFaces(crops, { tta: false });
      const b = await viaTfjs.classifyFaces(crops, { tta: false });
      // Applying the temperature twice moved these by 2-3e-5 (measured before the fix); float error is ~1e-7.
      a.forEach((row, i) => row.forEach((p, k) => expect(Math.abs(p - b[i]![k]!)).toBeLessThan(2e-6)));
    } finally {
      await viaOnnx.dispose();
      await viaTfjs.dispose();
    }
  });

  it("falls back to tfjs when model.onnx disagrees with the weights, and refuses it when forced", async () => {
    const dir = await saveWithOnnx({ foreignOnnx: true });
    const analyzer = await createFaceAnalyzer({ modelDir: dir });
    try {
      expect(analyzer.info.model.classifier).toBe("tfjs");
      expect(analyzer.info.classifierFallbackReason).toMatch(/does not match/);
    } finally {
      await analyzer.dispose();
    }
    await expect(createFaceAnalyzer({ modelDir: dir, classifier: "onnx" })).rejects.toMatchObject({
      code: "MODEL_INVALID",
    });
  });

  it.each(["none", "temperature", "all"] as const)(
    "applies the class bias exactly once whatever the export holds (baked: %s)",
    async (bake) => {
      const dir = await saveWithOnnx({ bake, classBias: CLASS_BIAS });
      const viaOnnx = await createFaceAnalyzer({ modelDir: dir });
      const viaTfjs = await createFaceAnalyzer({ modelDir: dir, classifier: "tfjs" });
      try {
        expect(viaOnnx.info.model.classifier).toBe("onnx");
        expect(viaOnnx.info.model.classBias).toEqual(CLASS_BIAS);
        for (const tta of [false, true]) {
          const a = await viaOnnx.classifyFaces(crops, { tta });
          const b = await viaTfjs.classifyFaces(crops, { tta });
          a.forEach((row, i) => row.forEach((p, k) => expect(p).toBeCloseTo(b[i]![k]!, 4)));
        }
        // The bias is really applied: served = normalise(p^(1/T) e^b) of the plain softmax the weights give.
        const plainModel = await loadModelArtifacts(dir);
        const plain = tf.tidy(() =>
          (plainModel.model.predict(toModelInput(crops)) as tf.Tensor2D).arraySync(),
        );
        plainModel.model.dispose();
        const served = await viaOnnx.classifyFaces(crops, { tta: false });
        plain.forEach((row, i) => {
          const expected = applyCalibration(row, { temperature: TEMPERATURE, classBias: CLASS_BIAS });
          expected.forEach((p, k) => expect(served[i]![k]!).toBeCloseTo(p, 4));
          expect(served[i]![2]! / served[i]![3]!).toBeGreaterThan(
            (row[2]! / row[3]!) ** (1 / TEMPERATURE) * 50,
          );
        });
      } finally {
        await viaOnnx.dispose();
        await viaTfjs.dispose();
      }
    },
  );

  it("takes every decision on the served probabilities: dominant emotion and the explained class", async () => {
    // A bias no random net can outweigh: every face is served as fear.
    const dir = await saveWithOnnx({ bake: "all", classBias: [0, 0, 30, 0, 0, 0, 0] });
    const analyzer = await createFaceAnalyzer({ modelDir: dir });
    try {
      const result = await analyzer.analyze(await readFile(join(GROUP_PHOTOS_DIR, "kit_with_rose.jpg")));
      expect(result.faces.length).toBeGreaterThan(0);
      for (const face of result.faces) expect(face.dominantEmotion).toBe("fear");
      expect(analyzer.explain(crops[0]!).emotion).toBe("fear");
      const [map] = await analyzer.explainCrops([crops[1]!]);
      expect(map!.emotion).toBe("fear");
    } finally {
      await analyzer.dispose();
    }
  });
});
