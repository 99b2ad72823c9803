import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { AppError, EMOTIONS } from "@moodlens/shared";
import { loadModelArtifacts } from "../src/artifacts";
import { selectBackend, tf } from "../src/backend";
import { DEFAULT_MODEL_DIR, createFaceAnalyzer, type FaceAnalyzer } from "../src/analyzer";
import { applyCalibration } from "../src/calibration";
import { saliencyToDataUrl } from "../src/explain";
import { cropFace, decodeImage, preprocessCrop } from "../src/preprocess";
import { FIXTURE_TEMPERATURE, saveRandomModel } from "./model-fixture";
import { FER_VAL_DIR, GROUP_PHOTOS_DIR, handBoxedFaces } from "./group-photos";
import { animatedGif, cmykJpeg, gradientPng, hugePng, randomBytes, redBlue, sixteenBitPng } from "./fixtures";

let fixture: Awaited<ReturnType<typeof saveRandomModel>>;
let analyzer: FaceAnalyzer;
const photo = (name: string) => readFileSync(join(GROUP_PHOTOS_DIR, name));

async function errorOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

/** 50 real faces (hand boxes of the group photos, with context, upscaled to 80 px) on a grey 10x5 grid. */
async function fiftyFaceMosaic(): Promise<Buffer> {
  const tiles: Buffer[] = [];
  for (const [file, boxes] of handBoxedFaces()) {
    const image = await decodeImage(photo(file));
    for (const box of boxes) {
      const side = Math.round(Math.max(box.width, box.height) * 1.6);
      const left = Math.max(0, Math.round(box.x + box.width / 2 - side / 2));
      const top = Math.max(0, Math.round(box.y + box.height / 2 - side / 2));
      const tile = await sharp(image.rgb, { raw: { width: image.width, height: image.height, channels: 3 } })
        .extract({
          left,
          top,
          width: Math.min(side, image.width - left),
          height: Math.min(side, image.height - top),
        })
        .resize(80, 80)
        .png()
        .toBuffer();
      tiles.push(tile);
    }
  }
  const cell = 110;
  const composites = Array.from({ length: 50 }, (_, index) => ({
    input: tiles[index % tiles.length]!,
    left: (index % 10) * cell + 15,
    top: Math.floor(index / 10) * cell + 15,
  }));
  return sharp({ create: { width: cell * 10, height: cell * 5, channels: 3, background: "#808080" } })
    .composite(composites)
    .jpeg({ quality: 92 })
    .toBuffer();
}

beforeAll(async () => {
  await selectBackend(undefined, { logger: () => {} });
  fixture = await saveRandomModel();
  analyzer = await createFaceAnalyzer({ modelDir: fixture.dir });
});
afterAll(async () => {
  await analyzer?.dispose();
  await fixture?.cleanup();
});

describe("createFaceAnalyzer", () => {
  it("defaults to <repo>/models/default", () => {
    expect(DEFAULT_MODEL_DIR).toBe(join(import.meta.dirname, "..", "..", "..", "models", "default"));
  });

  it.skipIf(existsSync(join(DEFAULT_MODEL_DIR, "metadata.json")))(
    "says how to train a model when models/default is empty",
    async () => {
      const error = await errorOf(createFaceAnalyzer());
      expect(error.code).toBe("MODEL_NOT_TRAINED");
      expect(error.hint).toMatch(/npm run trainer -- train/);
    },
  );

  it("throws MODEL_NOT_TRAINED for a directory without a model", async () => {
    const empty = await mkdtemp(join(tmpdir(), "moodlens-empty-"));
    try {
      const error = await errorOf(createFaceAnalyzer({ modelDir: empty }));
      expect(error.code).toBe("MODEL_NOT_TRAINED");
      expect(error.hint).toMatch(/npm run trainer -- train/);
    } finally {
      await rm(empty, { recursive: true });
    }
  });

  it("throws MODEL_INVALID for corrupted weights", async () => {
    const copy = await mkdtemp(join(tmpdir(), "moodlens-corrupt-"));
    try {
      for (const file of ["model.json", "metadata.json"])
        await writeFile(join(copy, file), await readFile(join(fixture.dir, file)));
      const weights = await readFile(join(fixture.dir, "weights.bin"));
      weights[100] = weights[100]! ^ 0xff;
      await writeFile(join(copy, "weights.bin"), weights);
      expect((await errorOf(createFaceAnalyzer({ modelDir: copy }))).code).toBe("MODEL_INVALID");
    } finally {
      await rm(copy, { recursive: true });
    }
  });

  it("throws CONFIG_INVALID naming every bad setting", async () => {
    const error = await errorOf(
      createFaceAnalyzer({
        modelDir: fixture.dir,
        margin: -1,
        classifier: "magic" as never,
        detector: { minFaceSise: 10 } as never,
      }),
    );
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toMatch(/margin/);
    expect(error.message).toMatch(/classifier/);
    expect(error.message).toMatch(/minFaceSise/);
  });

  it("refuses a forced ONNX classifier when the model has no model.onnx", async () => {
    const error = await errorOf(createFaceAnalyzer({ modelDir: fixture.dir, classifier: "onnx" }));
    expect(error.code).toBe("CONFIG_INVALID");
    expect(analyzer.info.model.classifier).toBe("tfjs");
    expect(analyzer.info.classifierFallbackReason).toMatch(/model.onnx/);
  });
});

describe("analyze", () => {
  it("returns per-face probabilities, emotion, valence, boxes, timings and model info", async () => {
    const result = await analyzer.analyze(photo("2007_007763.jpg"));
    expect(result.image).toEqual({ width: 500, height: 375, format: "jpeg" });
    expect(result.faces.length).toBeGreaterThanOrEqual(6);
    for (const face of result.faces) {
      expect(face.probabilities).toHaveLength(EMOTIONS.length);
      expect(face.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      const best = face.probabilities.indexOf(Math.max(...face.probabilities));
      expect(face.dominantEmotion).toBe(EMOTIONS[best]);
      expect(face.valence).toBeGreaterThanOrEqual(-1);
      expect(face.valence).toBeLessThanOrEqual(1);
      expect(face.detectionScore).toBeGreaterThan(0.5);
      expect(face.box.width).toBeGreaterThan(0);
      expect(face.saliency).toBeUndefined();
    }
    expect(result.timings.decodeMs).toBeGreaterThanOrEqual(0);
    expect(result.timings.detectMs).toBeGreaterThan(0);
    expect(result.timings.classifyMs).toBeGreaterThanOrEqual(0);
    expect(result.model).toMatchObject({
      runId: "test-random-weights",
      classifier: "tfjs",
      temperature: FIXTURE_TEMPERATURE,
    });
  });

  it("classifies exactly the crop cropFace makes, temperature-scaled", async () => {
    const image = await decodeImage(photo("2008_001009.jpg"));
    const result = await analyzer.analyze(photo("2008_001009.jpg"));
    const face = result.faces[0]!;
    const crop = await cropFace(image, face, { margin: analyzer.info.margin });
    const { model } = await loadModelArtifacts(fixture.dir);
    const raw = tf.tidy(() =>
      (
        model.predict(
          tf.tensor4d(
            Float32Array.from(crop, (v) => v / 255),
            [1, 48, 48, 1],
          ),
        ) as tf.Tensor
      ).dataSync(),
    );
    model.dispose();
    const expected = applyCalibration(raw, { temperature: FIXTURE_TEMPERATURE });
    face.probabilities.forEach((p, i) => expect(p).toBeCloseTo(expected[i]!, 5));
    // The temperature really changes the numbers (it flattens a random net's softmax).
    expect(Math.max(...expected)).toBeLessThan(Math.max(...raw));
  });

  it("adds a saliency map per face on request", async () => {
    const result = await analyzer.analyze(photo("2008_001009.jpg"), { explain: true });
    expect(result.faces.length).toBeGreaterThan(0);
    for (const face of result.faces) {
      expect(face.saliency?.values).toHaveLength(48 * 48);
      expect(face.saliency?.emotion).toBe(face.dominantEmotion);
    }
    expect(result.timings.explainMs).toBeGreaterThan(0);
  });

  it("analyzeDecoded gives analyze's result for an already-decoded photo", async () => {
    const bytes = photo("2007_007763.jpg");
    const fromBytes = await analyzer.analyze(bytes, { explain: true, explainMaxFaces: 2 });
    const fromPixels = await analyzer.analyzeDecoded(await decodeImage(bytes), {
      explain: true,
      explainMaxFaces: 2,
    });
    expect(fromPixels.faces.length).toBeGreaterThanOrEqual(6);
    expect(fromPixels.faces).toEqual(fromBytes.faces);
    expect(fromPixels.skipped).toEqual(fromBytes.skipped);
    expect(fromPixels.image).toEqual(fromBytes.image);
    expect(fromPixels.model).toEqual(fromBytes.model);
    expect(fromPixels.timings.decodeMs).toBe(0);
  });

  it("analyzeDecoded rejects a frame whose bytes do not match its size", async () => {
    const image = await decodeImage(photo("2008_001009.jpg"));
    const error = await errorOf(analyzer.analyzeDecoded({ ...image, rgb: image.rgb.subarray(1) }));
    expect(error.code).toBe("UNSUPPORTED_IMAGE");
  });

  it("gives the same answers to concurrent calls", async () => {
    const [a, b] = [photo("2008_001009.jpg"), photo("2008_002506.jpg")];
    const sequential = [await analyzer.analyze(a), await analyzer.analyze(b)].map((result) => result.faces);
    const concurrent = (await Promise.all([analyzer.analyze(a), analyzer.analyze(b)])).map(
      (result) => result.faces,
    );
    expect(concurrent).toEqual(sequential);
  });

  it("finds no face in a gradient", async () => {
    const result = await analyzer.analyze(await gradientPng());
    expect(result.faces).toEqual([]);
    expect(result.skipped).toEqual([]);
  });

  it("handles animated GIF, CMYK JPEG and 16-bit PNG", async () => {
    for (const input of [await animatedGif(), await cmykJpeg(), await sixteenBitPng()]) {
      const result = await analyzer.analyze(input);
      expect(result.faces).toEqual([]);
    }
  });

  it("rejects bad input with clear codes", async () => {
    expect((await errorOf(analyzer.analyze(Buffer.alloc(0)))).code).toBe("UNSUPPORTED_IMAGE");
    expect((await errorOf(analyzer.analyze(randomBytes(4096)))).code).toBe("UNSUPPORTED_IMAGE");
    const jpeg = await redBlue(300, 300).jpeg().toBuffer();
    expect((await errorOf(analyzer.analyze(jpeg.subarray(0, jpeg.length >> 1)))).code).toBe(
      "UNSUPPORTED_IMAGE",
    );
    expect((await errorOf(analyzer.analyze(hugePng()))).code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("reports all 50 faces of a crowded mosaic", async () => {
    const result = await analyzer.analyze(await fiftyFaceMosaic());
    expect(result.faces.length + result.skipped.length).toBeGreaterThanOrEqual(48);
    expect(result.faces.length + result.skipped.length).toBeLessThanOrEqual(52);
    expect(result.faces.every((face) => face.probabilities.length === 7)).toBe(true);
  });
});

describe("classifyFaces and explain", () => {
  const ferDir = join(FER_VAL_DIR, "happy");

  it("batches crops and mirrors them for test-time augmentation", async () => {
    const crop = await preprocessCrop(join(ferDir, readdirSync(ferDir).sort()[0]!));
    const mirrored = new Uint8Array(crop.length);
    for (let y = 0; y < 48; y++) for (let x = 0; x < 48; x++) mirrored[y * 48 + x] = crop[y * 48 + 47 - x]!;
    const crops = Array.from({ length: 70 }, (_, i) => (i % 2 ? mirrored : crop)); // > one batch of 64
    const plain = await analyzer.classifyFaces(crops);
    expect(plain).toHaveLength(70);
    expect(plain[68]).toEqual(plain[0]);
    const tta = await analyzer.classifyFaces([crop], { tta: true });
    // Averaging happens before temperature scaling, so compare in that order.
    const raw = (await analyzer.classifyFaces([crop, mirrored])).map((p) =>
      p.map((v) => Math.log(v) * FIXTURE_TEMPERATURE),
    );
    const softmax = (logits: number[]) => {
      const exps = logits.map((l) => Math.exp(l - Math.max(...logits)));
      const sum = exps.reduce((a, b) => a + b, 0);
      return exps.map((e) => e / sum);
    };
    const averaged = softmax(raw[0]!).map((p, i) => (p + softmax(raw[1]!)[i]!) / 2);
    const expected = applyCalibration(averaged, { temperature: FIXTURE_TEMPERATURE });
    tta[0]!.forEach((p, i) => expect(p).toBeCloseTo(expected[i]!, 4));
    expect(await analyzer.classifyFaces([])).toEqual([]);
  });

  it("explains a crop with a 48x48 map and encodes it as PNG", async () => {
    const crop = await preprocessCrop(await redBlue(96, 96).png().toBuffer());
    const saliency = analyzer.explain(crop);
    expect(saliency.size).toBe(48);
    expect(saliency.values).toBeInstanceOf(Uint8Array);
    expect(saliency.values).toHaveLength(48 * 48);
    expect(Math.max(...saliency.values)).toBe(255);
    const [probabilities] = await analyzer.classifyFaces([crop]);
    expect(saliency.classIndex).toBe(probabilities!.indexOf(Math.max(...probabilities!)));
    const url = await saliencyToDataUrl(saliency, { colormap: "heat", size: 96 });
    expect(url.startsWith("data:image/png;base64,")).toBe(true);
    const meta = await sharp(Buffer.from(url.split(",")[1]!, "base64")).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["png", 96, 96]);
    expect(() => analyzer.explain(new Uint8Array(10))).toThrow(AppError);
  });

  it("does not leak tensors across analyze, classifyFaces and explain", async () => {
    const image = photo("2008_001009.jpg"); // two faces, three views: cheap even on the pure-JS cpu backend
    const crop = await preprocessCrop(await redBlue(48, 48).png().toBuffer());
    await analyzer.analyze(image, { explain: true, tta: true });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) {
      await analyzer.analyze(image, { explain: i === 0, tta: i === 1 });
      await analyzer.classifyFaces([crop, crop], { tta: i === 0 });
      analyzer.explain(crop);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
