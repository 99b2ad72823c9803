import { describe, expect, it } from "vitest";
import { EMOTIONS } from "@moodlens/shared";
import { validateMetadata } from "../src/artifacts";
import {
  applyCalibration,
  applyCalibrationToRows,
  calibrationOf,
  inverseCalibration,
} from "../src/calibration";

const softmax = (logits: number[]) => {
  const max = Math.max(...logits);
  const exps = logits.map((value) => Math.exp(value - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((value) => value / sum);
};

const LOGITS = [1.2, -0.4, 0.3, 2.1, 0.9, -1.5, 1.7];
const CALIBRATION = { temperature: 0.8, classBias: [0.1, 0, 0.6, -0.2, 0, 0.05, -0.3] };

describe("served calibration", () => {
  it("is softmax(logits / T + b) computed from the plain softmax", () => {
    const served = applyCalibration(softmax(LOGITS), CALIBRATION);
    const expected = softmax(LOGITS.map((l, c) => l / CALIBRATION.temperature + CALIBRATION.classBias[c]!));
    served.forEach((p, c) => expect(p).toBeCloseTo(expected[c]!, 12));
  });

  it("gives the same rows one face at a time and many at once", () => {
    const rows = Float32Array.from([...softmax(LOGITS), ...softmax(LOGITS.map((l) => -l))]);
    const many = applyCalibrationToRows(rows, 7, CALIBRATION);
    for (let row = 0; row < 2; row++) {
      const one = applyCalibration(rows.subarray(row * 7, row * 7 + 7), CALIBRATION);
      one.forEach((p, c) => expect(many[row * 7 + c]).toBeCloseTo(p, 6));
    }
  });

  it("is undone by its inverse (how a calibrated ONNX graph is read back to plain softmax)", () => {
    const plain = softmax(LOGITS);
    const back = applyCalibration(applyCalibration(plain, CALIBRATION), inverseCalibration(CALIBRATION));
    back.forEach((p, c) => expect(p).toBeCloseTo(plain[c]!, 10));
  });

  it("reads a model's metadata: no classBias is no bias", () => {
    expect(calibrationOf({ temperature: 0.9 })).toEqual({ temperature: 0.9 });
    expect(calibrationOf({ temperature: 0.9, classBias: [0, 0, 0, 0, 0, 0, 0] })).toEqual({
      temperature: 0.9,
    });
    expect(calibrationOf(CALIBRATION)).toEqual(CALIBRATION);
  });
});

describe("metadata.json classBias", () => {
  const base = {
    formatVersion: 1,
    labels: [...EMOTIONS],
    inputSize: 48,
    normalization: "divide255",
    architecture: "deep",
    hyperparameters: {},
    runId: "r",
    datasetFingerprint: "f",
    metrics: {},
    temperature: 0.9,
    createdAt: "2026-12-07T00:00:00.000Z",
    weightsSha256: "0".repeat(64),
  };

  it("is optional (models from before it load unchanged) and kept when valid", () => {
    expect(validateMetadata(base, "metadata.json").classBias).toBeUndefined();
    expect(validateMetadata({ ...base, classBias: CALIBRATION.classBias }, "m").classBias).toEqual(
      CALIBRATION.classBias,
    );
  });

  it.each([[[0, 0, 0]], [[0, 0, 0, 0, 0, 0, Number.NaN]], [[0, 0, 0, 0, 0, 0, "1"]], ["0"]])(
    "is refused when it is not 7 finite numbers: %j",
    (classBias) => {
      expect(() => validateMetadata({ ...base, classBias }, "metadata.json")).toThrow(/classBias/);
    },
  );
});
