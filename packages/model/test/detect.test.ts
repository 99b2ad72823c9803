import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { AppError } from "@moodlens/shared";
import { selectBackend, tf } from "../src/backend";
import { decodeImage } from "../src/preprocess";
import { createFaceDetector, parseDlibBoxes, planPasses, type FaceDetector } from "../src/detect";
import { GROUP_PHOTOS_DIR, handBoxedFaces, matchFaces } from "./group-photos";
import { gradientPng } from "./fixtures";

let detector: FaceDetector;

beforeAll(async () => {
  await selectBackend(undefined, { logger: () => {} });
  detector = await createFaceDetector();
});
afterAll(() => detector.dispose());

const photo = (name: string) => readFileSync(join(GROUP_PHOTOS_DIR, name));

describe("face detector", () => {
  it("finds >= 95 % of the 43 hand-boxed faces with <= 10 % false boxes", async () => {
    let truthCount = 0;
    let matched = 0;
    let detections = 0;
    for (const [file, truth] of handBoxedFaces()) {
      const result = await detector.detect(await decodeImage(photo(file)));
      // Too-small faces are detections too (reported, not classified): they count for recall and false boxes.
      const boxes = [...result.faces, ...result.skipped].map((face) => face.box);
      truthCount += truth.length;
      detections += boxes.length;
      matched += matchFaces(truth, boxes);
    }
    expect(truthCount).toBe(43);
    expect(matched / truthCount).toBeGreaterThanOrEqual(0.95);
    expect((detections - matched) / detections).toBeLessThanOrEqual(0.1);
  });

  it("returns boxes, scores and six landmarks in original-image pixels", async () => {
    const image = await decodeImage(photo("2008_001009.jpg"));
    const { faces } = await detector.detect(image);
    expect(faces.length).toBeGreaterThan(0);
    for (const face of faces) {
      expect(face.score).toBeGreaterThanOrEqual(detector.config.scoreThreshold);
      expect(face.box.x).toBeGreaterThanOrEqual(0);
      expect(face.box.x + face.box.width).toBeLessThanOrEqual(image.width);
      expect(face.box.y + face.box.height).toBeLessThanOrEqual(image.height);
      expect(face.landmarks).toHaveLength(6);
      // The eyes lie inside the face box.
      for (const eye of face.landmarks.slice(0, 2)) {
        expect(eye.x).toBeGreaterThan(face.box.x);
        expect(eye.x).toBeLessThan(face.box.x + face.box.width);
      }
    }
  });

  it("follows EXIF orientation: a sideways-stored photo gives the same faces, in displayed coordinates", async () => {
    const upright = await decodeImage(photo("2008_001009.jpg"));
    // Store the pixels rotated 90° counter-clockwise and tag orientation 6 (= display rotated back clockwise).
    const sideways = await sharp(photo("2008_001009.jpg"))
      .rotate(-90)
      .withMetadata({ orientation: 6 })
      .jpeg({ quality: 95 })
      .toBuffer();
    const displayed = await decodeImage(sideways);
    expect([displayed.width, displayed.height]).toEqual([upright.width, upright.height]);
    const a = await detector.detect(upright);
    const b = await detector.detect(displayed);
    expect(b.faces.length).toBe(a.faces.length);
    expect(
      matchFaces(
        a.faces.map((face) => face.box),
        b.faces.map((face) => face.box),
      ),
    ).toBe(a.faces.length);
  });

  it("finds no face in a gradient", async () => {
    const result = await detector.detect(await decodeImage(await gradientPng()));
    expect(result.faces).toEqual([]);
    expect(result.skipped).toEqual([]);
  });

  it("reports faces under minFaceSize as skipped and honours maxFaces", async () => {
    const image = await decodeImage(photo("2007_007763.jpg")); // seven faces of ~35-45 px
    const all = await detector.detect(image);
    expect(all.faces.length).toBeGreaterThanOrEqual(6);
    const strict = await detector.detect(image, { minFaceSize: 40 });
    expect(strict.skipped.length).toBeGreaterThan(0);
    expect(
      strict.skipped.every(
        (face) => face.reason === "too-small" && Math.max(face.box.width, face.box.height) < 40,
      ),
    ).toBe(true);
    expect(strict.faces.every((face) => Math.max(face.box.width, face.box.height) >= 40)).toBe(true);
    expect(strict.faces.length + strict.skipped.length).toBe(all.faces.length + all.skipped.length);
    const capped = await detector.detect(image, { maxFaces: 2 });
    expect(capped.faces).toHaveLength(2);
  });

  it("does not leak tensors (onnx and tfjs engines)", async () => {
    const image = await decodeImage(photo("2008_002470.jpg"));
    const tfjsDetector = await createFaceDetector({ engine: "tfjs" });
    try {
      for (const engine of [detector, tfjsDetector]) {
        await engine.detect(image);
        const before = tf.memory().numTensors;
        for (let i = 0; i < 3; i++) await engine.detect(image);
        expect(tf.memory().numTensors).toBe(before);
      }
    } finally {
      await tfjsDetector.dispose();
    }
  });

  it("runs on onnxruntime by default, with the same faces as tfjs, also when a worker thread shares the views", async () => {
    expect(detector.engine.name).toBe("onnx");
    const image = await decodeImage(photo("2008_004176.jpg")); // 5 fixed 256x256 views, 2 flexible ones
    // The same fixed 256x256 views as tfjs: same numbers. The default (flexible views of up to 384 px): same faces.
    const fixedOnnx = await createFaceDetector({ maxViewSide: 256 });
    const alone = await createFaceDetector({ engine: "tfjs" });
    const helped = await createFaceDetector({ engine: "tfjs", workers: 1 });
    try {
      const viaOnnx = await fixedOnnx.detect(image);
      const viaFlexible = await detector.detect(image);
      expect(alone.engine.name).toBe("tfjs");
      const viaTfjs = await alone.detect(image);
      const shared = await helped.detect(image);
      expect(shared.passes).toBe(viaTfjs.passes);
      expect(shared.faces).toEqual(viaTfjs.faces);
      expect(viaOnnx.passes).toBe(viaTfjs.passes);
      expect(viaOnnx.faces).toHaveLength(viaTfjs.faces.length);
      viaOnnx.faces.forEach((face, index) => {
        const twin = viaTfjs.faces[index]!;
        expect(face.score).toBeCloseTo(twin.score, 3);
        for (const key of ["x", "y", "width", "height"] as const)
          expect(Math.abs(face.box[key] - twin.box[key])).toBeLessThanOrEqual(0.2);
      });
      expect(viaFlexible.passes).toBeLessThan(viaTfjs.passes);
      expect(viaFlexible.faces).toHaveLength(viaTfjs.faces.length);
      expect(
        matchFaces(
          viaTfjs.faces.map((face) => face.box),
          viaFlexible.faces.map((face) => face.box),
        ),
      ).toBe(viaTfjs.faces.length);
    } finally {
      await fixedOnnx.dispose();
      await alone.dispose();
      await helped.dispose();
    }
  });

  it("gives the same numbers with ONNX worker threads sharing the views, also for concurrent calls", async () => {
    const images = await Promise.all(
      ["bald_guys.jpg", "2008_004176.jpg"].map((name) => decodeImage(photo(name))),
    );
    const alone = await createFaceDetector({ onnxWorkers: 0 });
    const shared = await createFaceDetector({ onnxWorkers: 2 });
    try {
      expect(alone.engine).toMatchObject({ name: "onnx", workerThreads: 0 });
      expect(shared.engine).toMatchObject({ name: "onnx", workerThreads: 2 });
      const expected = [];
      for (const image of images) expected.push(await alone.detect(image));
      expect(expected.every((result) => result.faces.length > 0)).toBe(true);
      for (const [index, image] of images.entries())
        expect(await shared.detect(image)).toEqual(expected[index]);
      expect(await Promise.all([...images, ...images].map((image) => shared.detect(image)))).toEqual([
        ...expected,
        ...expected,
      ]);
    } finally {
      await alone.dispose();
      await shared.dispose();
    }
  });

  it("rejects invalid settings with CONFIG_INVALID", async () => {
    await expect(createFaceDetector({ scoreThreshold: 2 })).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    await expect(createFaceDetector({ onnxWorkers: 1.5 })).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    const image = await decodeImage(photo("2008_002470.jpg"));
    const error = await detector.detect(image, { maxFaces: 0 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
  });
});

describe("planPasses", () => {
  const plan = {
    inputSize: 256,
    minDetectableInput: 16,
    minFaceSize: 24,
    overlap: 0.25,
    maxLevels: 4,
    maxUpscale: 2,
  };

  it("uses one pass when the whole image already shows minFaceSize faces at 16 px", () => {
    expect(planPasses(300, 200, plan)).toHaveLength(1);
  });

  it("tiles large images so that every pixel is seen at the finest zoom", () => {
    const passes = planPasses(2000, 1500, plan);
    const finest = Math.max(...passes.map((pass) => pass.level));
    const tiles = passes.filter((pass) => pass.level === finest);
    expect(tiles[0]!.scale).toBeCloseTo(16 / 24, 2);
    for (const [x, y] of [
      [0, 0],
      [1999, 1499],
      [1000, 750],
      [1999, 0],
    ] as const) {
      expect(
        tiles.some((t) => x >= t.left && x < t.left + t.width && y >= t.top && y < t.top + t.height),
      ).toBe(true);
    }
    for (const tile of tiles) {
      expect(tile.left + tile.width).toBeLessThanOrEqual(2000);
      expect(tile.top + tile.height).toBeLessThanOrEqual(1500);
    }
  });

  it("with maxViewSide: same scales, fewer and larger views (multiples of 32) overlapping by 64 input px", () => {
    const fixed = planPasses(2000, 1500, plan);
    const flexible = planPasses(2000, 1500, { ...plan, maxViewSide: 384 });
    const scales = (passes: typeof fixed) =>
      [...new Set(passes.map((pass) => pass.level))].map(
        (level) => passes.find((pass) => pass.level === level)!.scale,
      );
    expect(scales(flexible)).toHaveLength(scales(fixed).length);
    scales(fixed).forEach((scale, level) => expect(scales(flexible)[level]).toBeCloseTo(scale, 2));
    expect(flexible.length).toBeLessThan(fixed.length / 2);
    const inputPixels = (passes: typeof fixed) =>
      passes.reduce((sum, pass) => sum + pass.inputWidth * pass.inputHeight, 0);
    expect(inputPixels(flexible)).toBeLessThan(inputPixels(fixed) * 0.85);
    for (const level of new Set(flexible.map((pass) => pass.level))) {
      const views = flexible.filter((pass) => pass.level === level);
      for (const view of views) {
        expect(view.inputWidth % 32).toBe(0);
        expect(view.inputHeight % 32).toBe(0);
        expect(Math.max(view.inputWidth, view.inputHeight)).toBeLessThanOrEqual(384);
        expect(view.width * view.scale).toBeLessThanOrEqual(view.inputWidth);
        expect(view.height * view.scale).toBeLessThanOrEqual(view.inputHeight);
      }
      // Every pixel is seen; wherever two views meet, they share at least 64 input px.
      for (const [x, y] of [
        [0, 0],
        [1999, 1499],
        [1000, 750],
        [1999, 0],
        [0, 1499],
      ] as const) {
        expect(
          views.some(
            (v) =>
              x >= v.left &&
              x < v.left + v.width + 0.5 / v.scale &&
              y >= v.top &&
              y < v.top + v.height + 0.5 / v.scale,
          ),
        ).toBe(true);
      }
      const lefts = [...new Set(views.map((view) => view.left))].sort((a, b) => a - b);
      const width = views[0]!.width;
      lefts
        .slice(1)
        .forEach((left, index) =>
          expect((lefts[index]! + width - left) * views[0]!.scale).toBeGreaterThanOrEqual(64 - 1e-6),
        );
    }
  });
});

describe("detection evaluation", () => {
  it("reads dlib XML boxes and matches detections one-to-one, centre inside each other", () => {
    const xml = `<images><image file='a.jpg'><box top='10' left='20' width='30' height='40'/>
      <box top='-2' left='100' width='10' height='10'/></image><image file='b.jpg'></image></images>`;
    const boxes = parseDlibBoxes(xml);
    expect(boxes.get("a.jpg")).toEqual([
      { x: 20, y: 10, width: 30, height: 40 },
      { x: 100, y: -2, width: 10, height: 10 },
    ]);
    expect(boxes.get("b.jpg")).toEqual([]);
    const hand = boxes.get("a.jpg")!;
    const twice = [
      { x: 22, y: 12, width: 30, height: 40 },
      { x: 18, y: 8, width: 34, height: 44 },
    ];
    expect(matchFaces(hand, twice)).toBe(1); // two boxes on one face count once
    expect(matchFaces(hand, [{ x: 45, y: 10, width: 30, height: 40 }])).toBe(0); // centre outside the hand box
    expect(matchFaces(hand, [{ x: 0, y: 0, width: 200, height: 200 }])).toBe(0); // the hand box's centre is inside, not vice versa
  });
});
