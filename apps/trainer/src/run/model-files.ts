import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import {
  saveModelArtifacts,
  type ExportOnnxOptions,
  type ModelMetadata,
  type OnnxQuantization,
  type tf,
} from "@moodlens/model";
import { calibrationOf, type ServedCalibration } from "@moodlens/model/calibration";
import type { EvaluationReport } from "@moodlens/shared";
import { minimumRecall } from "../evaluation/fit-calibration";
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
  const calibration = calibrationOf({ temperature: report.temperature ?? 1, classBias: report.classBias });
  const onnx = await exportOnnxIfAvailable(model, calibration, log);
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
        ...classBiasMetrics(report),
        bestEpoch: state.bestEpoch ?? 0,
        epochs: state.epoch,
        trainSeconds: Math.round(state.trainSeconds),
        ...extraMetrics,
      },
      ...calibration,
    },
    onnx ? { onnx } : {},
  );
}

/**
 * The metadata figures of a class bias fitted on the validation data (none without one): the served decision's
 * lowest recall, the floor asked for, and the cross-fitted figures (fitted on one half, measured on the other).
 */
export function classBiasMetrics(report: EvaluationReport): Record<string, number> {
  const fit = report.classBiasFit;
  if (!fit) return {};
  return {
    valMinRecall: minimumRecall(report),
    classBiasMinRecall: fit.minRecall,
    valAccuracyCrossFitted: fit.crossFitted.accuracy,
    valMacroF1CrossFitted: fit.crossFitted.macroF1,
    valMinRecallCrossFitted: fit.crossFitted.minRecall,
  };
}

/**
 * Saves a model folder again with `metadata` (e.g. a new calibration), re-exporting model.onnx so that the graph
 * applies the same calibration; weights and model.json are written from the loaded model, unchanged.
 */
export async function rewriteModelFiles(
  directory: string,
  model: tf.LayersModel,
  metadata: ModelMetadata,
  log: (line: string) => void,
): Promise<ModelMetadata> {
  const {
    formatVersion: _format,
    labels: _labels,
    inputSize: _inputSize,
    normalization: _normalization,
    weightsSha256: _weights,
    onnxSha256: _onnx,
    classBias: _classBias,
    ...input
  } = metadata;
  const calibration = calibrationOf(metadata);
  const onnx = await exportOnnxIfAvailable(model, calibration, log, metadata.onnxQuantization);
  return saveModelArtifacts(model, directory, { ...input, ...calibration }, onnx ? { onnx } : {});
}

/**
 * The ONNX bytes of the model with its served calibration in the graph; a model without them is still servable by
 * tfjs, so a failed export only logs.
 */
async function exportOnnxIfAvailable(
  model: tf.LayersModel,
  calibration: ServedCalibration,
  log: (line: string) => void,
  quantization?: OnnxQuantization,
): Promise<Uint8Array | undefined> {
  try {
    const onnxModule = (await import("@moodlens/model")) as unknown as {
      exportOnnx?: (m: tf.LayersModel, options: ExportOnnxOptions) => Promise<Uint8Array> | Uint8Array;
    };
    if (typeof onnxModule.exportOnnx === "function")
      return await onnxModule.exportOnnx(model, {
        ...calibration,
        ...(quantization ? { quantization } : {}),
      });
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
