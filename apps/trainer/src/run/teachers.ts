import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { AppError, EMOTIONS } from "@moodlens/shared";
import { loadModelArtifacts, modelWeightsDigest, tf, type NetworkConfigInput } from "@moodlens/model";
import { selectTrainingEngine } from "@moodlens/native";
import type { Subset } from "../dataset/cache";
import { predictProbabilities } from "../evaluation/predict";
import type { DistillationConfig, Teacher } from "../training/config";
import { fromRecordedPath, toRecordedPath } from "../util/paths";

const CLASSES = EMOTIONS.length;

// The weights file names come from model.json (one file, or shards for a large model).
const isModelFolder = (path: string) =>
  existsSync(join(path, "metadata.json")) && existsSync(join(path, "model.json"));

/** Resolves one `--distill-from` entry: a run id (in the runs folder), a run folder (its model/), or a model folder. */
export function resolveTeacher(reference: string, runsDirectory: string, cwd = process.cwd()): Teacher {
  for (const candidate of [resolve(cwd, reference), join(runsDirectory, reference)]) {
    const folder = isModelFolder(candidate) ? candidate : join(candidate, "model");
    if (isModelFolder(folder))
      return { source: toRecordedPath(folder), weightsSha256: modelWeightsDigest(folder) };
  }
  throw new AppError("NOT_FOUND", `--distill-from ${reference}: no finished model there`, {
    hint: `pass a finished run id from ${runsDirectory}, a run folder, or a model folder (metadata.json + model.json + weights)`,
  });
}

/**
 * The teachers' mean probabilities for the training images, [dataset size * 7] keyed by dataset index (rows outside
 * the training subset stay 0). Each teacher gives its plain softmax averaged with its mirror image's, computed by
 * the native engine when it can run the teacher's network (seconds), else by tfjs. A teacher whose weights changed
 * since the run recorded them is refused: a resumed run must learn from the same targets.
 */
export async function teacherProbabilities(
  distillation: DistillationConfig,
  train: Subset,
  log: (line: string) => void,
  nativeDisabled?: boolean,
): Promise<Float32Array> {
  const out = new Float32Array(train.dataset.labels.length * CLASSES);
  for (const teacher of distillation.teachers) {
    const folder = fromRecordedPath(teacher.source);
    if (!isModelFolder(folder))
      throw new AppError("NOT_FOUND", `teacher ${teacher.source} is gone`, {
        hint: "restore that model folder, or start a new run",
      });
    if (modelWeightsDigest(folder) !== teacher.weightsSha256)
      throw new AppError("CONFLICT", `teacher ${teacher.source} changed since the run started`, {
        hint: "restore its original weights, or start a new run",
      });
    const { model, metadata } = await loadModelArtifacts(folder);
    const engine = selectTrainingEngine({
      requested: "auto",
      network: metadata.hyperparameters.network as NetworkConfigInput,
      tfjsBackend: "wasm",
      disabled: nativeDisabled,
      options: { precision: "fp32", replicas: 2, threadsPerReplica: 1, optimizer: "adam", momentum: 0.9 },
      log: () => {},
    });
    try {
      if (engine) {
        // Inference only: the engine takes the weights; a fresh optimizer stands in for state it never uses.
        const optimizer = tf.train.adam(1e-3);
        engine.loadFrom(model, optimizer);
        optimizer.dispose();
      }
      const started = Date.now();
      const probabilities = predictProbabilities(model, train, {
        tta: true,
        ...(metadata.inputFilter ? { inputFilter: metadata.inputFilter } : {}),
        ...(engine ? { classify: (crops: readonly Uint8Array[]) => engine.predict(crops) } : {}),
      });
      train.indices.forEach((index, position) => {
        for (let k = 0; k < CLASSES; k++)
          out[index * CLASSES + k]! += probabilities[position * CLASSES + k]! / distillation.teachers.length;
      });
      log(
        `teacher ${teacher.source} (run ${metadata.runId}): ${train.indices.length} images in ${((Date.now() - started) / 1000).toFixed(0)} s on ${engine ? "the native engine" : "tfjs"}`,
      );
    } finally {
      engine?.dispose();
      model.dispose();
    }
  }
  return out;
}
