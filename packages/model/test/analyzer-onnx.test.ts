import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GROUP_PHOTOS_DIR } from "./group-photos";
import { saveModelArtifacts } from "../src/artifacts";
import { selectBackend } from "../src/backend";
import { createFaceAnalyzer } from "../src/analyzer";
import { buildNetwork } from "../src/networks";
import { exportOnnx } from "../src/onnx";
import { preprocessCrop } from "../src/preprocess";
import { redBlue } from "./fixtures";
import { tf } from "../src/tf";

const TEMPERATURE = 1.5;
const dirs: string[] = [];

/** Saves a random compact net with model.onnx exported from `onnxSource` (default: the same net). */
async function saveWithOnnx(
  options: { bakeTemperature?: boolean; foreignOnnx?: boolean; nearlyUniform?: boolean } = {},
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
  const onnx = exportOnnx(source, options.bakeTemperature ? { temperature: TEMPERATURE } : {});
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
});
