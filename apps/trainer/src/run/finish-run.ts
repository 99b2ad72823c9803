import { join } from "node:path";
import type { ModelMetadata } from "@moodlens/model";
import type { TrainingData } from "../dataset/partition";
import { evaluateWithCalibration } from "../evaluation/evaluate";
import type { Trainer } from "../training/trainer";
import { writeJsonAtomic } from "../util/atomic";
import { loadModelWeights, readCheckpointPointer } from "./checkpoint";
import { publishModelFiles, writeModelFiles } from "./model-files";
import { RUN_FILES, type RunSpec, type StoredEvaluation } from "./run-files";

/** The class bias a run asks for at its end (run.json minRecall), as evaluateWithCalibration's option. */
export const classBiasOf = (spec: RunSpec): { minRecall?: number } =>
  spec.minRecall === undefined ? {} : { minRecall: spec.minRecall };

/** Loads the best epoch's weights, evaluates with calibration on the validation data, writes the model files. */
export async function finishRun(
  runDirectory: string,
  spec: RunSpec,
  trainer: Trainer,
  parts: TrainingData,
  log: (line: string) => void,
): Promise<{ evaluation: StoredEvaluation; metadata: ModelMetadata }> {
  const pointer = readCheckpointPointer(runDirectory);
  if (pointer?.best) loadModelWeights(join(runDirectory, pointer.best), trainer.model);
  const report = evaluateWithCalibration(
    trainer.model,
    parts.val,
    spec.config.inputFilter,
    classBiasOf(spec),
  );
  const evaluation: StoredEvaluation = {
    split: "validation",
    data: spec.data.val?.source ?? `${spec.data.train.source} (held-out split)`,
    report,
    createdAt: new Date().toISOString(),
  };
  writeJsonAtomic(join(runDirectory, RUN_FILES.evaluation), evaluation);
  log(
    `best epoch ${trainer.state.bestEpoch}: val accuracy ${report.accuracy.toFixed(4)}, macro-F1 ${report.macroF1.toFixed(4)}, ` +
      `ECE ${report.ece.toFixed(4)} → ${report.eceAfterTemperature?.toFixed(4)} at T=${report.temperature?.toFixed(3)}`,
  );
  if (report.classBiasFit)
    log(
      `class bias for recall ≥ ${spec.minRecall}: ${report.classBias?.map((b) => b.toFixed(2)).join(" ") ?? "none needed"}; ` +
        `cross-fitted val accuracy ${report.classBiasFit.crossFitted.accuracy.toFixed(4)}, lowest recall ${report.classBiasFit.crossFitted.minRecall.toFixed(4)}`,
    );
  const metadata = await writeModelFiles(
    join(runDirectory, RUN_FILES.model),
    trainer.model,
    spec,
    trainer.state,
    report,
    log,
  );
  if (spec.publishTo) publishModelFiles(join(runDirectory, RUN_FILES.model), spec.publishTo, log);
  return { evaluation, metadata };
}
