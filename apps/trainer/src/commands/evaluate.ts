import { parseArgs } from "node:util";
import { AppError, type EvaluationReport } from "@moodlens/shared";
import {
  NO_INPUT_FILTER,
  describeInputFilter,
  loadModelArtifacts,
  parseInputFilter,
  selectBackend,
} from "@moodlens/model";
import { findModelVersionByWeights, getModelVersion, getRun, recordEvaluation } from "@moodlens/db";
import { importUncached } from "../dataset/load";
import { fingerprintOf, type Subset } from "../dataset/cache";
import type { Dataset } from "../dataset/types";
import { backendPreference, env } from "../env";
import { evaluateModel } from "../evaluation/evaluate";
import { modelDirectoryFrom, servedModel, type ModelSource } from "../evaluation/model-source";
import { findTrainingOverlap, findRunDirectory } from "../run/training-overlap";
import { withDatabase } from "../records/database";
import { REPO_ROOT, resolveUserPath, toRecordedPath } from "../util/paths";
import { join } from "node:path";
import { choiceOption, required } from "./args";
import { EVALUATE_USAGE } from "./usage";
import { logToStderr } from "../util/log";

/**
 * Beyond this share of training images the folder is mostly the training data and the numbers say nothing about
 * new faces: refused. Below it the overlap is reported with the accuracy on the held-out rest. FER-2013 itself has
 * exact cross-split duplicates: 273 of the 3,589 PublicTest images (7.6 %) are Training images with the same label,
 * so `val` must be measurable, and its figure is comparable with the literature's, which uses all of PublicTest.
 */
const MAX_TRAINING_OVERLAP = 0.5;

export async function evaluateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: "string" },
      model: { type: "string" },
      json: { type: "boolean" },
      record: { type: "boolean" },
      format: { type: "string" },
      "allow-training-data": { type: "boolean" },
      tta: { type: "boolean" },
      "input-filter": { type: "string" },
    },
    strict: true,
  });
  const dataPath = resolveUserPath(required(values.data, "data", EVALUATE_USAGE.split("\n")[0]));
  const log = logToStderr;
  const source: ModelSource = values.model
    ? { path: modelDirectoryFrom(values.model), why: "--model" }
    : await servedModel(log);
  const kind = choiceOption(values.format, "format", ["folder", "csv", "photos"] as const);
  const dataset = await importUncached(dataPath, {
    ...(kind ? { kind } : {}),
    requireTrainable: false,
    log,
    progressLabel: `decoding ${toRecordedPath(dataPath)}`,
  });
  await selectBackend(backendPreference(), { logger: log });
  const { model, metadata } = await loadModelArtifacts(source.path);
  log(
    `evaluating ${source.path} (${source.why}; run ${metadata.runId}) on ${dataset.manifest.count} images of ${dataPath}`,
  );
  try {
    const subset = { dataset, indices: Uint32Array.from({ length: dataset.manifest.count }, (_, i) => i) };
    const overlap = await checkTrainingOverlap(
      subset,
      metadata,
      dataset,
      Boolean(values["allow-training-data"]),
      log,
    );
    // The model's own filter unless overridden (overriding is how its sigma is tuned on validation data).
    const inputFilter =
      values["input-filter"] !== undefined
        ? parseInputFilter(values["input-filter"])
        : (metadata.inputFilter ?? NO_INPUT_FILTER);
    if (inputFilter.kind !== "none") log(`input filter ${describeInputFilter(inputFilter)}`);
    const options = {
      temperature: metadata.temperature,
      skipped: dataset.manifest.report.skipped,
      tta: Boolean(values.tta),
      inputFilter,
    };
    const report: EvaluationReport = evaluateModel(model, subset, options);
    if (overlap.length) {
      const inTraining = new Set(overlap);
      const heldOut = { dataset, indices: subset.indices.filter((_, position) => !inTraining.has(position)) };
      const heldOutAccuracy = evaluateModel(model, heldOut, options).accuracy;
      report.trainingOverlap = {
        images: overlap.length,
        share: overlap.length / subset.indices.length,
        heldOutAccuracy,
      };
      log(
        `accuracy ${(report.accuracy * 100).toFixed(2)} % on all ${subset.indices.length} images, ${(heldOutAccuracy * 100).toFixed(2)} % on the ${heldOut.indices.length} not in the training data`,
      );
    }
    if (dataset.manifest.report.corrupt.length)
      log(
        `${dataset.manifest.report.corrupt.length} unreadable files skipped: ${dataset.manifest.report.corrupt.slice(0, 5).join(", ")}${dataset.manifest.report.corrupt.length > 5 ? ", …" : ""}`,
      );
    if (values.record) {
      try {
        await withDatabase(async (db) => {
          const run = await getRun(db.prisma, metadata.runId);
          const version =
            source.version ?? (await findModelVersionByWeights(db.prisma, metadata.weightsSha256))?.version;
          if (!run && !(version && (await getModelVersion(db.prisma, version))))
            throw new Error(
              `neither run ${metadata.runId} nor a version of these weights is in the database`,
            );
          await recordEvaluation(db.prisma, {
            runId: run ? metadata.runId : null,
            modelVersion: version ?? null,
            datasetName: toRecordedPath(dataPath),
            datasetFingerprint: dataset.manifest.fingerprint,
            split: "test",
            report,
          });
        });
        log("evaluation recorded");
      } catch (error) {
        log(
          `evaluation not recorded: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
        );
      }
    }
    if (values.json) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } else {
      const { formatReport } = await import("../evaluation/format");
      process.stdout.write(`${formatReport(report)}\n`);
    }
    return 0;
  } finally {
    model.dispose();
  }
}

/**
 * The test set is only honest if the model never saw it: refuse the model's own training data, and folders that
 * are mostly training images; return the positions of the evaluation images that also occur in the training data.
 */
async function checkTrainingOverlap(
  subset: Subset,
  metadata: { runId: string; datasetFingerprint: string },
  dataset: Dataset,
  allow: boolean,
  log: (line: string) => void,
): Promise<number[]> {
  const wholeFingerprint = fingerprintOf(
    dataset.pixels,
    dataset.labels,
    new Uint8Array(dataset.labels.length),
  );
  if (wholeFingerprint === metadata.datasetFingerprint && !allow) {
    throw new AppError(
      "DATASET_INVALID",
      "these are the images the model was trained on (its training data); evaluating on them says nothing about new faces",
      {
        hint: "evaluate on a held-out folder (e.g. ../shared/datasets/fer2013/val)",
      },
    );
  }
  const runDirectory = findRunDirectory(metadata.runId, [
    resolveUserPath(env().MOODLENS_RUNS_DIR),
    join(REPO_ROOT, "models", "training"),
  ]);
  if (!runDirectory) return [];
  const overlap =
    (await findTrainingOverlap(subset, runDirectory, resolveUserPath(env().MOODLENS_CACHE_DIR), log)) ?? [];
  if (overlap.length === 0) return overlap;
  const share = overlap.length / Math.max(1, subset.indices.length);
  if (share > MAX_TRAINING_OVERLAP && !allow) {
    throw new AppError(
      "DATASET_INVALID",
      `${overlap.length} of ${subset.indices.length} images (${(share * 100).toFixed(1)} %) were in the model's training data`,
      {
        hint: "evaluate on a held-out folder, or pass --allow-training-data to measure the fit on purpose",
      },
    );
  }
  log(
    `note: ${overlap.length} evaluation images (${(share * 100).toFixed(1)} %) also occur in the training data (FER-2013 has duplicates across splits); the report's trainingOverlap gives the accuracy without them`,
  );
  return overlap;
}
