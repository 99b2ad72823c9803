import { join } from "node:path";
import { AppError } from "@moodlens/shared";
import { selectBackend, type ModelMetadata } from "@moodlens/model";
import { evaluateWithCalibration } from "../evaluation/evaluate";
import { buildSeededNetwork } from "../training/seeded-network";
import { loadModelWeights, readCheckpointPointer } from "./checkpoint";
import { classBiasOf } from "./finish-run";
import { writeModelFiles } from "./model-files";
import { loadRunData } from "./run-data";
import { readSpec } from "./run-files";
import { runLog, type RunOptions } from "./run-options";
import { backendPreference } from "../env";

/**
 * Model files from the best epoch so far of a run that is still going (or paused): evaluated and calibrated on
 * the run's validation data like a finished run, with `metrics.interim = 1`. Lets a long training ship its best
 * model between sittings; the run itself is not touched (read-only on its folder).
 */
export async function snapshotRun(
  runDirectory: string,
  target: string,
  options: RunOptions,
): Promise<ModelMetadata> {
  const log = runLog(options);
  const spec = readSpec(runDirectory);
  const pointer = readCheckpointPointer(runDirectory);
  if (!pointer?.best) throw new AppError("MODEL_NOT_TRAINED", `run ${spec.runId} has no finished epoch yet`);
  await selectBackend(backendPreference(), { logger: log });
  const { parts } = await loadRunData(spec, options);
  const model = buildSeededNetwork(spec.config);
  try {
    loadModelWeights(join(runDirectory, pointer.best), model);
    const report = evaluateWithCalibration(model, parts.val, spec.config.inputFilter, classBiasOf(spec));
    log(
      `snapshot of ${spec.runId} at best epoch ${pointer.trainer.bestEpoch}/${pointer.epoch}: val accuracy ${report.accuracy.toFixed(4)}, macro-F1 ${report.macroF1.toFixed(4)}, T=${report.temperature?.toFixed(3)}`,
    );
    return await writeModelFiles(target, model, spec, pointer.trainer, report, log, { interim: 1 });
  } finally {
    model.dispose();
  }
}
