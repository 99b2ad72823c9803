import { expect, it } from "vitest";
import { recordAnalysis } from "../src/analyses";
import { createRun, recordEpoch, recordEvaluation } from "../src/experiments";
import {
  epochsOfRuns,
  evaluationsOfRuns,
  experimentsByIds,
  facesOfAnalyses,
  modelVersionsOfRuns,
  runsByIds,
  runsOfExperiments,
} from "../src/lookups";
import { registerModelVersion } from "../src/models";
import { describeEachDatabase } from "../src/testing";
import { analysisInput, face } from "./helpers";
import { EMOTIONS, type EvaluationReport } from "@moodlens/shared";

const MISSING = "00000000-0000-4000-8000-000000000000";

const report: EvaluationReport = {
  accuracy: 0.5,
  macroF1: 0.45,
  perClass: Object.fromEntries(
    EMOTIONS.map((e) => [e, { precision: 0.5, recall: 0.5, f1: 0.5, support: 10 }]),
  ) as EvaluationReport["perClass"],
  confusion: EMOTIONS.map((_, i) => EMOTIONS.map((__, j) => (i === j ? 5 : 1))),
  labels: [...EMOTIONS],
  skipped: {},
  ece: 0.05,
};

const epoch = (n: number) => ({
  epoch: n,
  loss: 1,
  accuracy: 0.5,
  valLoss: 1,
  valAccuracy: 0.4 + n / 100,
  learningRate: 0.001,
  seconds: 1,
  imagesPerSec: 100,
});

describeEachDatabase("batched lookups", (database) => {
  it("answers faces per analysis in the order asked, as the shared face shape, [] for an unknown id", async () => {
    const { prisma } = database().db;
    const two = (await recordAnalysis(prisma, analysisInput({ faces: [face("happy"), face("sad", 1)] })))
      .analysis;
    const one = (await recordAnalysis(prisma, analysisInput({ faces: [face("fear")] }))).analysis;
    const faces = await facesOfAnalyses(prisma, [one.id, MISSING, two.id]);
    expect(faces.map((list) => list.map((f) => [f.index, f.dominantEmotion]))).toEqual([
      [[0, "fear"]],
      [],
      [
        [0, "happy"],
        [1, "sad"],
      ],
    ]);
    expect(faces[2]![1]).toEqual(two.faces[1]);
    expect(faces[2]![1]!.box).toEqual({ x: 60, y: 20, width: 40, height: 40 });
  });

  it("answers runs, epochs, evaluations and model versions per id, in the order asked", async () => {
    const { prisma } = database().db;
    const a = await createRun(prisma, { id: "lookup-a", experiment: { name: "lookups" }, name: "a" });
    const b = await createRun(prisma, { id: "lookup-b", experiment: { name: "lookups" }, name: "b" });
    await recordEpoch(prisma, a.id, epoch(2));
    await recordEpoch(prisma, a.id, epoch(1));
    await recordEvaluation(prisma, { runId: b.id, datasetName: "fer2013", split: "val", report });
    await registerModelVersion(prisma, { version: "lookup-1", runId: b.id, path: "models/lookup-1" });

    expect(
      (await runsByIds(prisma, ["lookup-b", "nope", "lookup-a"])).map((run) => run?.name ?? null),
    ).toEqual(["b", null, "a"]);
    expect((await experimentsByIds(prisma, [a.experimentId, MISSING])).map((e) => e?.name ?? null)).toEqual([
      "lookups",
      null,
    ]);
    expect(
      (await runsOfExperiments(prisma, [MISSING, a.experimentId])).map((runs) =>
        runs.map((run) => run.name).sort(),
      ),
    ).toEqual([[], ["a", "b"]]);
    expect((await epochsOfRuns(prisma, [b.id, a.id])).map((epochs) => epochs.map((e) => e.epoch))).toEqual([
      [],
      [1, 2],
    ]);
    expect((await evaluationsOfRuns(prisma, [a.id, b.id])).map((list) => list.length)).toEqual([0, 1]);
    expect(
      (await modelVersionsOfRuns(prisma, [b.id, a.id])).map((list) => list.map((v) => v.version)),
    ).toEqual([["lookup-1"], []]);
  });

  it("keeps idempotency in recordAnalysis: the 128-character limit, and a replay inside the transaction", async () => {
    const { prisma } = database().db;
    await expect(
      recordAnalysis(prisma, analysisInput({ clientRequestId: "x".repeat(129) })),
    ).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    const first = await recordAnalysis(
      prisma,
      analysisInput({ idempotencyScope: "user:u1", clientRequestId: ` ${"y".repeat(128)} ` }),
    );
    const again = await recordAnalysis(
      prisma,
      analysisInput({
        idempotencyScope: "user:u1",
        clientRequestId: "y".repeat(128),
        faces: [face("angry")],
      }),
    );
    expect(again).toMatchObject({ replayed: true, analysis: { id: first.analysis.id } });
    expect(again.analysis.faces.map((f) => f.dominantEmotion)).toEqual(["happy"]);
    const otherUser = await recordAnalysis(
      prisma,
      analysisInput({ idempotencyScope: "user:u2", clientRequestId: "y".repeat(128) }),
    );
    expect(otherUser.replayed).toBe(false);
  });
});
