import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { saveModelArtifacts, type tf, type ModelMetadata } from "@moodlens/model";
import { flattenParams } from "../training/config";
import type { TrainerState } from "../training/state";
import { fromRecordedPath } from "../util/paths";
import type { RunSpec, StoredEvaluation } from "./run-files";

/** Writes the servable model files (tfjs weights, ONNX when the export works, metadata.json with the run's figures). */
export async function writeModelFiles(
  directory: string,
  model: tf.LayersModel,
  spec: RunSpec,
  state: TrainerState,
  report: StoredEvaluation["report"],
  log: (line: string) => void,
  extraMetrics: Record<string, number> = {},
): Promise<ModelMetadata> {
  const onnx = await exportOnnxIfAvailable(model, log);
  const { network, ...training } = spec.config;
  return saveModelArtifacts(
    model,
    directory,
    {
      architecture: network.architecture,
      ...(spec.config.inputFilter && spec.config.inputFilter.kind !== "none"
        ? { inputFilter: spec.config.inputFilter }
        : {}),
      hyperparameters: { network, ...flattenParams(training) },
      runId: spec.runId,
      datasetFingerprint: spec.data.trainFingerprint,
      metrics: {
        valAccuracy: report.accuracy,
        valMacroF1: report.macroF1,
        valEce: report.ece,
        ...(report.eceAfterTemperature !== undefined
          ? { valEceAfterTemperature: report.eceAfterTemperature }
          : {}),
        bestEpoch: state.bestEpoch ?? 0,
        epochs: state.epoch,
        trainSeconds: Math.round(state.trainSeconds),
        ...extraMetrics,
      },
      temperature: report.temperature ?? 1,
    },
    onnx ? { onnx } : {},
  );
}

/** The ONNX bytes of the model; a model without them is still servable by tfjs, so a failed export only logs. */
async function exportOnnxIfAvailable(
  model: tf.LayersModel,
  log: (line: string) => void,
): Promise<Uint8Array | undefined> {
  try {
    const onnxModule = (await import("@moodlens/model")) as unknown as {
      exportOnnx?: (m: tf.LayersModel) => Promise<Uint8Array> | Uint8Array;
    };
    if (typeof onnxModule.exportOnnx === "function") return await onnxModule.exportOnnx(model);
  } catch (error) {
    log(`ONNX export skipped: ${error instanceof Error ? error.message : String(error)}`);
  }
  return undefined;
}

/** Replaces the folder at the run's publishTo (e.g. models/default) with a copy of its model files. */
export function publishModelFiles(
  modelDirectory: string,
  publishTo: string,
  log: (line: string) => void,
): void {
  const target = fromRecordedPath(publishTo);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  cpSync(modelDirectory, target, { recursive: true });
  log(`model files published to ${publishTo}`);
}
