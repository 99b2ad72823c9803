import type { EvaluationReport } from "@moodlens/shared";
import { EMOTIONS } from "@moodlens/shared";
import { expect, it } from "vitest";
import {
  compareRuns,
  createRun,
  getRun,
  listExperiments,
  listRuns,
  recordEpoch,
  recordEvaluation,
  updateRun,
  upsertExperiment,
} from "../src/experiments";
import { describeEachDatabase } from "../src/testing";

const epoch = (n: number, valAccuracy: number) => ({
  epoch: n,
  loss: 1.5 - n * 0.1,
  accuracy: 0.3 + n * 0.05,
  valLoss: 1.6 - n * 0.1,
  valAccuracy,
  valMacroF1: valAccuracy - 0.05,
  learningRate: 0.001,
  seconds: 12,
  imagesPerSec: 850,
});

const report = (accuracy: number): EvaluationReport => ({
  accuracy,
  macroF1: accuracy - 0.04,
  perClass: Object.fromEntries(
    EMOTIONS.map((e) => [e, { precision: 0.5, recall: 0.5, f1: 0.5, support: 10 }]),
  ) as EvaluationReport["perClass"],
  confusion: EMOTIONS.map((_, i) => EMOTIONS.map((__, j) => (i === j ? 5 : 1))),
  labels: [...EMOTIONS],
  skipped: { contempt: 2 },
  ece: 0.08,
  eceAfterTemperature: 0.03,
  temperature: 1.4,
  samples: 70,
});

describeEachDatabase("experiments", (database) => {
  it("upserts experiments by name", async () => {
    const { prisma } = database().db;
    const first = await upsertExperiment(prisma, {
      name: "baseline",
      description: "compact net",
      tags: ["fer"],
    });
    const again = await upsertExperiment(prisma, { name: "baseline", description: "compact CNN" });
    expect(again.id).toBe(first.id);
    expect(again.description).toBe("compact CNN");
    expect(again.tags).toEqual(["fer"]);
  });

  it("records a run, its epochs idempotently, and finishing stamps the duration", async () => {
    const { prisma } = database().db;
    const run = await createRun(prisma, {
      id: "run-resume-1",
      experiment: { name: "resume" },
      name: "compact lr=1e-3",
      params: { lr: 0.001, batchSize: 64 },
      architecture: "compact",
      backend: "tensorflow",
      codeVersion: "abc1234",
      datasetFingerprint: "sha256:deadbeef",
      seed: 7,
      startedAt: new Date(Date.now() - 90_000),
    });
    expect(run.status).toBe("running");
    await recordEpoch(prisma, run.id, epoch(1, 0.4));
    await recordEpoch(prisma, run.id, epoch(2, 0.45));
    // A resumed run re-records epoch 2: replaced, not duplicated.
    await recordEpoch(prisma, run.id, epoch(2, 0.47));
    await recordEvaluation(prisma, {
      runId: run.id,
      datasetName: "fer2013",
      split: "val",
      report: report(0.48),
    });
    const finished = await updateRun(prisma, run.id, {
      status: "completed",
      bestEpoch: 2,
      imagesPerSec: 840,
      cpuShare: 0.9,
    });
    expect(finished.finishedAt).toBeInstanceOf(Date);
    expect(finished.durationSeconds!).toBeGreaterThan(80);

    const detail = await getRun(prisma, run.id);
    expect(detail?.epochs.map((e) => [e.epoch, e.valAccuracy])).toEqual([
      [1, 0.4],
      [2, 0.47],
    ]);
    expect(detail?.epochCount).toBe(2);
    expect(detail?.bestValAccuracy).toBe(0.47);
    expect(detail?.experiment.name).toBe("resume");
    expect(detail?.evaluations[0]?.accuracy).toBe(0.48);
    expect(detail?.evaluations[0]?.confusion).toMatchObject({ labels: [...EMOTIONS] });
    expect(await getRun(prisma, "missing")).toBeNull();
    // Resuming (back to running) clears finishedAt.
    expect((await updateRun(prisma, run.id, { status: "running" })).finishedAt).toBeNull();
    await expect(updateRun(prisma, "missing", { status: "failed" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("lists, orders and compares runs", async () => {
    const { prisma } = database().db;
    const a = await createRun(prisma, {
      experiment: { name: "sweep" },
      name: "a",
      params: { lr: 0.001, dropout: 0.3 },
      architecture: "compact",
      tags: ["sweep"],
    });
    const b = await createRun(prisma, {
      experiment: { name: "sweep" },
      name: "b",
      params: { lr: 0.0003, dropout: 0.3, mixup: true },
      architecture: "deep",
      tags: ["sweep"],
    });
    await recordEpoch(prisma, a.id, epoch(1, 0.5));
    await recordEpoch(prisma, b.id, epoch(1, 0.6));
    await updateRun(prisma, b.id, { status: "failed", error: "out of memory" });

    const byAccuracy = await listRuns(
      prisma,
      { experimentName: "sweep" },
      { field: "bestValAccuracy", direction: "desc" },
    );
    expect(byAccuracy.map((r) => r.name)).toEqual(["b", "a"]);
    expect(byAccuracy[0]!.experimentName).toBe("sweep");
    expect((await listRuns(prisma, { status: "failed", tag: "sweep" })).map((r) => r.name)).toEqual(["b"]);
    expect(
      (await listRuns(prisma, { architecture: "compact", experimentName: "sweep" })).map((r) => r.name),
    ).toEqual(["a"]);

    const comparison = await compareRuns(prisma, [a.id, b.id]);
    expect(comparison.paramKeys).toEqual(["dropout", "lr", "mixup"]);
    expect(comparison.differingParams).toEqual([
      { key: "lr", values: [0.001, 0.0003] },
      { key: "mixup", values: [null, true] },
    ]);
    const best = comparison.metrics.find((m) => m.name === "bestValAccuracy")!;
    expect(best.values).toEqual([0.5, 0.6]);
    expect(best.bestIndex).toBe(1);
    await expect(compareRuns(prisma, [a.id, "missing"])).rejects.toMatchObject({ code: "NOT_FOUND" });

    const experiments = await listExperiments(prisma);
    const sweep = experiments.find((e) => e.name === "sweep")!;
    expect(sweep.runCount).toBe(2);
    expect(sweep.bestValAccuracy).toBe(0.6);
  });

  it("needs a run or a model version for an evaluation", async () => {
    const { prisma } = database().db;
    await expect(
      recordEvaluation(prisma, { datasetName: "x", split: "test", report: report(0.5) }),
    ).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    await expect(
      recordEvaluation(prisma, {
        modelVersion: "nope",
        datasetName: "x",
        split: "test",
        report: report(0.5),
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
