import { parseArgs } from "node:util";
import { EMOTIONS, type EvaluationReport } from "@moodlens/shared";
import {
  NO_INPUT_FILTER,
  describeInputFilter,
  loadModelArtifacts,
  parseInputFilter,
  selectBackend,
} from "@moodlens/model";
import { calibrationOf } from "@moodlens/model/calibration";
import { findModelVersionByWeights, getModelVersion, getRun, recordEvaluation } from "@moodlens/db";
import { importEvaluationData } from "../dataset/load";
import { backendPreference } from "../env";
import { subsetLabels } from "../dataset/cache";
import { reportFromProbabilities } from "../evaluation/evaluate";
import { servedProbabilities } from "../evaluation/served-probabilities";
import { checkTrainingOverlap } from "../evaluation/overlap-guard";
import { modelDirectoryFrom, servedModel, type ModelSource } from "../evaluation/model-source";
import { withDatabase } from "../records/database";
import { resolveUserPath, toRecordedPath } from "../util/paths";
import { choiceOption, required } from "./args";
import { EVALUATE_USAGE } from "./usage";
import { logToStderr } from "../util/log";

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
  const dataset = await importEvaluationData(dataPath, kind, log);
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
    if (metadata.onnxQuantization)
      log("classifying with the int8 graph the model is served by (metadata.onnxQuantization)");
    const calibration = calibrationOf(metadata);
    const skipped = dataset.manifest.report.skipped;
    const probabilities = await servedProbabilities(model, metadata, subset, {
      tta: Boolean(values.tta),
      inputFilter,
    });
    const labels = subsetLabels(subset);
    const report: EvaluationReport = reportFromProbabilities(probabilities, labels, { calibration, skipped });
    if (overlap.length) {
      const inTraining = new Set(overlap);
      const keep = [...subset.indices.keys()].filter((position) => !inTraining.has(position));
      const heldOutAccuracy = reportFromProbabilities(
        Float32Array.from(
          keep.flatMap((position) => [
            ...probabilities.subarray(position * EMOTIONS.length, (position + 1) * EMOTIONS.length),
          ]),
        ),
        Uint8Array.from(keep, (position) => labels[position]!),
        { calibration, skipped },
      ).accuracy;
      report.trainingOverlap = {
        images: overlap.length,
        share: overlap.length / subset.indices.length,
        heldOutAccuracy,
      };
      log(
        `accuracy ${(report.accuracy * 100).toFixed(2)} % on all ${subset.indices.length} images, ${(heldOutAccuracy * 100).toFixed(2)} % on the ${keep.length} not in the training data`,
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
