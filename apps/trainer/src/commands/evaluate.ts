import { parseArgs } from "node:util";
import { AppError } from "@moodlens/shared";
import { NO_INPUT_FILTER, describeInputFilter, loadModelArtifacts, parseInputFilter, selectBackend } from "@moodlens/model";
import { recordEvaluation, getRun, getModelVersion } from "@moodlens/db";
import { importUncached } from "../dataset/load";
import { fingerprintOf, type Subset } from "../dataset/cache";
import type { Dataset } from "../dataset/types";
import { env } from "../env";
import { evaluateModel } from "../evaluation/evaluate";
import { modelDirectoryFrom, servedModel, type ModelSource } from "../evaluation/model-source";
import { countTrainingOverlap, findRunDirectory } from "../evaluation/overlap";
import { withDatabase } from "../records/database";
import { REPO_ROOT, resolveUserPath, toRecordedPath } from "../util/paths";
import { join } from "node:path";
import { choiceOption } from "./args";
import { EVALUATE_USAGE } from "./usage";

/** Evaluation samples that were in the model's training data make the numbers meaningless beyond this share. */
const MAX_TRAINING_OVERLAP = 0.05;

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
  if (!values.data) throw new AppError("BAD_USER_INPUT", "--data is required", { hint: EVALUATE_USAGE.split("\n")[0] });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const source: ModelSource = values.model ? { path: modelDirectoryFrom(values.model), why: "--model" } : await servedModel(log);
  const kind = choiceOption(values.format, "format", ["folder", "csv", "photos"] as const);
  const dataPath = resolveUserPath(values.data);
  const dataset = await importUncached(dataPath, { ...(kind ? { kind } : {}), requireTrainable: false, log, progressLabel: `decoding ${toRecordedPath(dataPath)}` });
  await selectBackend(undefined, { logger: log });
  const { model, metadata } = await loadModelArtifacts(source.path);
  log(`evaluating ${source.path} (${source.why}; run ${metadata.runId}) on ${dataset.manifest.count} images of ${dataPath}`);
  try {
    const subset = { dataset, indices: Uint32Array.from({ length: dataset.manifest.count }, (_, i) => i) };
    await refuseTrainingData(subset, metadata, dataset, Boolean(values["allow-training-data"]), log);
    // The model's own filter unless overridden (overriding is how its sigma is tuned on validation data).
    const inputFilter = values["input-filter"] !== undefined ? parseInputFilter(values["input-filter"]) : (metadata.inputFilter ?? NO_INPUT_FILTER);
    if (inputFilter.kind !== "none") log(`input filter ${describeInputFilter(inputFilter)}`);
    const report = evaluateModel(model, subset, { temperature: metadata.temperature, skipped: dataset.manifest.report.skipped, tta: Boolean(values.tta), inputFilter });
    if (dataset.manifest.report.corrupt.length) log(`${dataset.manifest.report.corrupt.length} unreadable files skipped: ${dataset.manifest.report.corrupt.slice(0, 5).join(", ")}${dataset.manifest.report.corrupt.length > 5 ? ", …" : ""}`);
    if (values.record) {
      try {
        await withDatabase(async (db) => {
          const run = await getRun(db.prisma, metadata.runId);
          const version = source.version ?? (await db.prisma.modelVersion.findFirst({ where: { weightsSha256: metadata.weightsSha256 } }))?.version;
          if (!run && !(version && (await getModelVersion(db.prisma, version)))) throw new Error(`neither run ${metadata.runId} nor a version of these weights is in the database`);
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
        log(`evaluation not recorded: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
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

/** The test set is only honest if the model never saw it: refuse the model's own training data. */
async function refuseTrainingData(
  subset: Subset,
  metadata: { runId: string; datasetFingerprint: string },
  dataset: Dataset,
  allow: boolean,
  log: (line: string) => void,
): Promise<void> {
  const wholeFingerprint = fingerprintOf(dataset.pixels, dataset.labels, new Uint8Array(dataset.labels.length));
  if (wholeFingerprint === metadata.datasetFingerprint && !allow) {
    throw new AppError("DATASET_INVALID", "these are the images the model was trained on (its training data); evaluating on them says nothing about new faces", {
      hint: "evaluate on a held-out folder (e.g. ../shared/datasets/fer2013/val)",
    });
  }
  const runDirectory = findRunDirectory(metadata.runId, [resolveUserPath(env().MOODLENS_RUNS_DIR), join(REPO_ROOT, "models", "training")]);
  if (!runDirectory) return;
  const overlap = await countTrainingOverlap(subset, runDirectory, resolveUserPath(env().MOODLENS_CACHE_DIR), log);
  if (overlap === undefined || overlap === 0) return;
  const share = overlap / Math.max(1, subset.indices.length);
  if (share > MAX_TRAINING_OVERLAP && !allow) {
    throw new AppError("DATASET_INVALID", `${overlap} of ${subset.indices.length} images (${(share * 100).toFixed(1)} %) were in the model's training data`, {
      hint: "evaluate on a held-out folder, or pass --allow-training-data to measure the fit on purpose",
    });
  }
  log(`note: ${overlap} evaluation images also occur in the training data (FER-2013 has a few duplicates across splits)`);
}
