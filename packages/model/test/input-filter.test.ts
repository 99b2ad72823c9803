import { readdirSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FER_VAL_DIR } from "./group-photos";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@moodlens/shared";
import { loadModelArtifacts, readModelMetadata, validateMetadata } from "../src/artifacts";
import { selectBackend, tf } from "../src/backend";
import { createFaceAnalyzer, type FaceAnalyzer } from "../src/analyzer";
import { applyCalibration } from "../src/calibration";
import {
  INPUT_SIZE,
  NO_INPUT_FILTER,
  applyInputFilter,
  describeInputFilter,
  parseInputFilter,
  preprocessCrop,
  toModelInput,
  validateInputFilter,
  type InputFilter,
} from "../src/preprocess";
import { lcg } from "./fixtures";
import { FIXTURE_TEMPERATURE, saveRandomModel } from "./model-fixture";

const SIZE = INPUT_SIZE;
const GAUSSIAN: InputFilter = { kind: "gaussian", sigma: 2 };

/** Deterministic noise crop: the most high-frequency content a crop can have. */
function noiseCrop(seed = 1, size = SIZE): Uint8Array {
  const next = lcg(seed);
  return Uint8Array.from({ length: size * size }, () => next() >>> 24);
}

const mean = (crop: Uint8Array) => crop.reduce((sum, v) => sum + v, 0) / crop.length;

/** Sum of squared differences between horizontal and vertical neighbours. */
function gradientEnergy(crop: Uint8Array, size = SIZE): number {
  let energy = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = crop[y * size + x]!;
      if (x + 1 < size) energy += (crop[y * size + x + 1]! - v) ** 2;
      if (y + 1 < size) energy += (crop[(y + 1) * size + x]! - v) ** 2;
    }
  }
  return energy;
}

const mirror = (crop: Uint8Array, size = SIZE) =>
  Uint8Array.from(crop, (_, i) => crop[Math.floor(i / size) * size + (size - 1 - (i % size))]!);
const transpose = (crop: Uint8Array, size = SIZE) =>
  Uint8Array.from(crop, (_, i) => crop[(i % size) * size + Math.floor(i / size)]!);

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return (error as AppError).code;
  }
  return undefined;
}

describe("applyInputFilter", () => {
  it("none is the identity", () => {
    const crop = noiseCrop();
    expect(applyInputFilter(crop, NO_INPUT_FILTER)).toEqual(crop);
  });

  it("gaussian keeps a constant image exactly, and the mean brightness of any image closely", () => {
    for (const value of [0, 37, 128, 255]) {
      const out = applyInputFilter(new Uint8Array(SIZE * SIZE).fill(value), { kind: "gaussian", sigma: 3.5 });
      expect(
        out.every((v) => v === value),
        String(value),
      ).toBe(true);
    }
    const crop = noiseCrop(7);
    expect(Math.abs(mean(applyInputFilter(crop, GAUSSIAN)) - mean(crop))).toBeLessThan(2);
  });

  it("is symmetric: filtering commutes with mirroring and transposing", () => {
    const crop = noiseCrop(3);
    const filtered = applyInputFilter(crop, GAUSSIAN);
    expect(applyInputFilter(mirror(crop), GAUSSIAN)).toEqual(mirror(filtered));
    expect(applyInputFilter(transpose(crop), GAUSSIAN)).toEqual(transpose(filtered));
    // A centred impulse spreads into a symmetric blob whose peak stays at the centre and whose mass is kept.
    const impulse = new Uint8Array(SIZE * SIZE);
    impulse[24 * SIZE + 24] = 255;
    const blob = applyInputFilter(impulse, { kind: "gaussian", sigma: 1 });
    expect(blob.indexOf(Math.max(...blob))).toBe(24 * SIZE + 24);
    expect(blob[24 * SIZE + 22]).toBe(blob[24 * SIZE + 26]);
    expect(blob[22 * SIZE + 24]).toBe(blob[24 * SIZE + 22]);
    expect(Math.abs(blob.reduce((a, b) => a + b, 0) - 255)).toBeLessThan(15);
  });

  it("reduces gradient energy, more for a larger sigma, and leaves its input untouched", () => {
    const crop = noiseCrop(5);
    const copy = Uint8Array.from(crop);
    const energies = [0.5, 1, 2, 4].map((sigma) =>
      gradientEnergy(applyInputFilter(crop, { kind: "gaussian", sigma })),
    );
    expect(energies[0]!).toBeLessThan(gradientEnergy(crop) * 0.7);
    for (let i = 1; i < energies.length; i++) expect(energies[i]!).toBeLessThan(energies[i - 1]!);
    expect(crop).toEqual(copy);
  });

  it("rejects crops of the wrong size and takes another size when told", () => {
    for (const length of [0, SIZE * SIZE - 1, SIZE * SIZE + 1, 96 * 96]) {
      expect(
        codeOf(() => applyInputFilter(new Uint8Array(length), GAUSSIAN)),
        String(length),
      ).toBe("INTERNAL");
      expect(
        codeOf(() => applyInputFilter(new Uint8Array(length), NO_INPUT_FILTER)),
        String(length),
      ).toBe("INTERNAL");
    }
    const small = applyInputFilter(noiseCrop(2, 10), GAUSSIAN, 10);
    expect(small).toHaveLength(100);
  });
});

describe("validateInputFilter and parseInputFilter", () => {
  it("accept none and gaussian with 0 < sigma <= 8, dropping anything else in the object", () => {
    expect(validateInputFilter({ kind: "none" })).toEqual(NO_INPUT_FILTER);
    expect(validateInputFilter({ kind: "gaussian", sigma: 8, extra: 1 })).toEqual({
      kind: "gaussian",
      sigma: 8,
    });
    expect(parseInputFilter("none")).toEqual(NO_INPUT_FILTER);
    expect(parseInputFilter("gaussian:3.5")).toEqual({ kind: "gaussian", sigma: 3.5 });
    expect(parseInputFilter("gaussian:.5")).toEqual({ kind: "gaussian", sigma: 0.5 });
    for (const filter of [NO_INPUT_FILTER, GAUSSIAN, { kind: "gaussian", sigma: 3.5 } as const])
      expect(parseInputFilter(describeInputFilter(filter))).toEqual(filter);
  });

  it("reject anything else with CONFIG_INVALID, or the code asked for", () => {
    const bad: unknown[] = [
      null,
      undefined,
      "none",
      {},
      { kind: "box" },
      { kind: "gaussian" },
      { kind: "gaussian", sigma: 0 },
      { kind: "gaussian", sigma: -1 },
      { kind: "gaussian", sigma: 8.5 },
      { kind: "gaussian", sigma: Number.NaN },
      { kind: "gaussian", sigma: "2" },
    ];
    for (const value of bad) {
      expect(
        codeOf(() => validateInputFilter(value)),
        JSON.stringify(value),
      ).toBe("CONFIG_INVALID");
      expect(
        codeOf(() => validateInputFilter(value, "MODEL_INVALID")),
        JSON.stringify(value),
      ).toBe("MODEL_INVALID");
    }
    for (const text of [
      "",
      "None",
      "gaussian",
      "gaussian:",
      "gaussian:-1",
      "gaussian:0",
      "gaussian:9",
      "gaussian:2px",
      "gauss:2",
      "gaussian:1e1",
    ]) {
      expect(
        codeOf(() => parseInputFilter(text)),
        text,
      ).toBe("CONFIG_INVALID");
    }
  });
});

describe("a model's input filter", () => {
  let plain: Awaited<ReturnType<typeof saveRandomModel>>;
  let filtered: Awaited<ReturnType<typeof saveRandomModel>>;
  let analyzer: FaceAnalyzer;
  let crop: Uint8Array;

  beforeAll(async () => {
    await selectBackend(undefined, { logger: () => {} });
    plain = await saveRandomModel();
    filtered = await saveRandomModel({ inputFilter: GAUSSIAN });
    analyzer = await createFaceAnalyzer({ modelDir: filtered.dir, classifier: "tfjs" });
    const ferDir = join(FER_VAL_DIR, "happy");
    crop = await preprocessCrop(join(ferDir, readdirSync(ferDir).sort()[0]!));
  });
  afterAll(async () => {
    await analyzer?.dispose();
    await plain?.cleanup();
    await filtered?.cleanup();
  });

  it("is recorded in metadata.json and read back; absent means none", async () => {
    expect((await readModelMetadata(filtered.dir)).inputFilter).toEqual(GAUSSIAN);
    expect((await readModelMetadata(plain.dir)).inputFilter).toBeUndefined();
    expect(analyzer.info.model.inputFilter).toEqual(GAUSSIAN);
  });

  it("makes metadata with a bad filter MODEL_INVALID, naming the file", async () => {
    const path = join(plain.dir, "metadata.json");
    const good = await readFile(path, "utf8");
    try {
      for (const inputFilter of [{ kind: "gaussian", sigma: 0 }, { kind: "median", size: 3 }, "gaussian:2"]) {
        await writeFile(path, JSON.stringify({ ...JSON.parse(good), inputFilter }));
        const error = await loadModelArtifacts(plain.dir).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error, JSON.stringify(inputFilter)).toBeInstanceOf(AppError);
        expect((error as AppError).code).toBe("MODEL_INVALID");
        expect((error as AppError).message).toContain("metadata.json");
      }
      expect(
        codeOf(() =>
          validateMetadata(
            { ...JSON.parse(good), inputFilter: { kind: "gaussian", sigma: 99 } },
            "x/metadata.json",
          ),
        ),
      ).toBe("MODEL_INVALID");
    } finally {
      await writeFile(path, good);
    }
  });

  it("is applied by classifyFaces: the network sees the filtered crop", async () => {
    const { model } = await loadModelArtifacts(filtered.dir);
    const predict = (input: Uint8Array) =>
      tf.tidy(() => Array.from((model.predict(toModelInput([input])) as tf.Tensor).dataSync())).map(Number);
    try {
      const expected = applyCalibration(predict(applyInputFilter(crop, GAUSSIAN)), {
        temperature: FIXTURE_TEMPERATURE,
      });
      const unfiltered = applyCalibration(predict(crop), { temperature: FIXTURE_TEMPERATURE });
      const [served] = await analyzer.classifyFaces([crop]);
      served!.forEach((p, i) => expect(p).toBeCloseTo(expected[i]!, 5));
      // The fixture is one where the filter changes the output (else the check above proves nothing).
      expect(Math.max(...served!.map((p, i) => Math.abs(p - unfiltered[i]!)))).toBeGreaterThan(1e-4);
    } finally {
      model.dispose();
    }
  });
});
