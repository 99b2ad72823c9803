import { describe, expect, it } from "vitest";
import { EMOTIONS } from "@moodlens/shared";
import { Rng } from "../src/util/rng";
import { fitClassBias } from "../src/evaluation/class-bias";
import {
  crossFitCalibration,
  minimumRecall,
  servedDecisions,
  stratifiedHalves,
} from "../src/evaluation/fit-calibration";
import { calibratedReport, reportFromProbabilities } from "../src/evaluation/evaluate";
import { classificationMetrics, confusionMatrix } from "../src/evaluation/metrics";

const CLASSES = EMOTIONS.length;
const FEAR = EMOTIONS.indexOf("fear");
const SAD = EMOTIONS.indexOf("sad");

const softmax = (logits: number[]) => {
  const max = Math.max(...logits);
  const exps = logits.map((value) => Math.exp(value - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((value) => value / sum);
};

/**
 * 200 faces per class; every class is mostly recognised, but fear faces lean to sad: the sad logit beats the fear
 * logit by `fearLean` on average (noise 1), so fear's recall is low until fear is raised.
 */
function synthetic(seed: number, fearLean: number): { probabilities: Float32Array; labels: Uint8Array } {
  const rng = new Rng(seed);
  const perClass = 200;
  const labels = new Uint8Array(perClass * CLASSES);
  const probabilities = new Float32Array(labels.length * CLASSES);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  for (let i = 0; i < labels.length; i++) {
    const label = i % CLASSES;
    labels[i] = label;
    const logits = Array.from({ length: CLASSES }, () => gauss());
    logits[label]! += 2.5;
    if (label === FEAR) logits[SAD] = logits[FEAR]! + fearLean + gauss();
    probabilities.set(softmax(logits), i * CLASSES);
  }
  return { probabilities, labels };
}

const recallsOf = (labels: Uint8Array, predictions: Uint8Array) =>
  classificationMetrics(confusionMatrix(labels, predictions));

describe("fitClassBias", () => {
  it("raises an under-predicted class above the floor and keeps the others there", () => {
    const { probabilities, labels } = synthetic(1, 0.3);
    const before = recallsOf(labels, servedDecisions(probabilities, { temperature: 1 }));
    expect(before.perClass.fear.recall).toBeLessThan(0.4);

    const fit = fitClassBias(probabilities, labels, { minRecall: 0.45 });
    expect(fit.reachedFloor).toBe(true);
    expect(fit.classBias[FEAR]).toBeGreaterThan(0);
    expect(fit.classBias[CLASSES - 1]).toBe(0); // neutral is the reference
    const after = recallsOf(
      labels,
      servedDecisions(probabilities, { temperature: 1, classBias: fit.classBias }),
    );
    for (const emotion of EMOTIONS) expect(after.perClass[emotion].recall).toBeGreaterThanOrEqual(0.45);
    expect(after.perClass.fear.recall).toBeGreaterThan(before.perClass.fear.recall);
  });

  it("leaves a model already above the floor unbiased when no offset gains accuracy", () => {
    // Every face is recognised with a wide margin: nothing to gain, so every offset stays 0.
    const labels = Uint8Array.from({ length: 70 }, (_, i) => i % CLASSES);
    const probabilities = new Float32Array(labels.length * CLASSES);
    labels.forEach((label, i) =>
      probabilities.set(softmax(EMOTIONS.map((_, c) => (c === label ? 4 : 0))), i * CLASSES),
    );
    const fit = fitClassBias(probabilities, labels, { minRecall: 0.45 });
    expect(fit).toEqual({ classBias: new Array(CLASSES).fill(0), reachedFloor: true });
  });

  it("maximises the lowest recall when the floor cannot be reached", () => {
    const { probabilities, labels } = synthetic(2, 0.3);
    const before = recallsOf(labels, servedDecisions(probabilities, { temperature: 1 }));
    const fit = fitClassBias(probabilities, labels, { minRecall: 0.99 });
    expect(fit.reachedFloor).toBe(false);
    const after = recallsOf(
      labels,
      servedDecisions(probabilities, { temperature: 1, classBias: fit.classBias }),
    );
    expect(minimumRecall(after)).toBeGreaterThan(minimumRecall(before) + 0.1);
  });

  it("is deterministic", () => {
    const { probabilities, labels } = synthetic(3, 0.3);
    expect(fitClassBias(probabilities, labels, { minRecall: 0.45 })).toEqual(
      fitClassBias(probabilities, labels, { minRecall: 0.45 }),
    );
  });
});

describe("cross-fitting and the served report", () => {
  it("splits each class evenly into two fixed halves", () => {
    const { labels } = synthetic(4, 0.3);
    const [a, b] = stratifiedHalves(labels);
    expect(a.length + b.length).toBe(labels.length);
    expect(new Set([...a, ...b]).size).toBe(labels.length);
    for (let label = 0; label < CLASSES; label++) {
      const inA = [...a].filter((position) => labels[position] === label).length;
      expect(inA).toBe(100);
    }
    expect(stratifiedHalves(labels)).toEqual([a, b]);
  });

  it("measures every image with the fit of the other half, near the in-sample figures", () => {
    const { probabilities, labels } = synthetic(5, 0.3);
    const inSample = calibratedReport(probabilities, labels, { minRecall: 0.45 });
    const cross = crossFitCalibration(probabilities, labels, { minRecall: 0.45 });
    expect(cross.folds[0].classBias![FEAR]).toBeGreaterThan(0);
    expect(cross.folds[1].classBias![FEAR]).toBeGreaterThan(0);
    expect(cross.heldOut.confusion.flat().reduce((a, b) => a + b, 0)).toBe(labels.length);
    expect(Math.abs(cross.heldOut.accuracy - inSample.accuracy)).toBeLessThan(0.05);
    expect(inSample.classBiasFit?.crossFitted.accuracy).toBe(cross.heldOut.accuracy);
    expect(inSample.classBiasFit?.crossFitted.recall.fear).toBe(cross.heldOut.perClass.fear.recall);
  });

  it("reports the served decision: the bias changes accuracy, recall and confusion, not the plain ECE", () => {
    const { probabilities, labels } = synthetic(6, 0.3);
    const plain = reportFromProbabilities(probabilities, labels, { calibration: { temperature: 1 } });
    const classBias = [0, 0, 1, 0, 0, 0, 0];
    const biased = reportFromProbabilities(probabilities, labels, {
      calibration: { temperature: 1, classBias },
    });
    expect(biased.classBias).toEqual(classBias);
    expect(biased.perClass.fear.recall).toBeGreaterThan(plain.perClass.fear.recall);
    expect(biased.confusion).not.toEqual(plain.confusion);
    expect(biased.ece).toBe(plain.ece);
    expect(biased.eceAfterTemperature).not.toBe(plain.eceAfterTemperature);
  });
});
