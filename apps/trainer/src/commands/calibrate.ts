import { parseArgs } from "node:util";
import { AppError, EMOTIONS, type EvaluationReport } from "@moodlens/shared";
import { NO_INPUT_FILTER, loadModelArtifacts, selectBackend, type ModelMetadata } from "@moodlens/model";
import { calibrationOf } from "@moodlens/model/calibration";
import { subsetLabels } from "../dataset/cache";
import { importEvaluationData } from "../dataset/load";
import { backendPreference } from "../env";
import { calibratedReport, reportFromProbabilities } from "../evaluation/evaluate";
import { minimumRecall } from "../evaluation/fit-calibration";
import { modelDirectoryFrom } from "../evaluation/model-source";
import { checkTrainingOverlap } from "../evaluation/overlap-guard";
import { servedProbabilities } from "../evaluation/served-probabilities";
import { classBiasMetrics, rewriteModelFiles } from "../run/model-files";
import { logToStderr } from "../util/log";
import { resolveUserPath, toRecordedPath } from "../util/paths";
import { num, pct, table } from "../util/table";
import { choiceOption, numberOption, required } from "./args";
import { CALIBRATE_USAGE } from "./usage";

/** Metric keys of a class bias fit: a refit without a bias drops them (the val figures it rewrites in place). */
const CLASS_BIAS_METRIC_KEYS = [
  "valMinRecall",
  "classBiasMinRecall",
  "valAccuracyCrossFitted",
  "valMacroF1CrossFitted",
  "valMinRecallCrossFitted",
];

/**
 * (Re)calibrates a model folder on labelled data (its validation data): fits the temperature and, with
 * --min-recall, the class bias; prints the figures before and after (and cross-fitted), then writes them into
 * metadata.json and re-exports model.onnx with the new calibration in its graph (unless --dry-run).
 */
export async function calibrateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: "string" },
      data: { type: "string" },
      "min-recall": { type: "string" },
      format: { type: "string" },
      json: { type: "boolean" },
      "dry-run": { type: "boolean" },
    },
    strict: true,
  });
  const usage = CALIBRATE_USAGE.split("\n")[0];
  const directory = modelDirectoryFrom(required(values.model, "model", usage));
  const dataPath = resolveUserPath(required(values.data, "data", usage));
  const minRecall = numberOption(values["min-recall"], "min-recall");
  if (minRecall !== undefined && !(minRecall > 0 && minRecall < 1))
    throw new AppError(
      "BAD_USER_INPUT",
      `--min-recall must be between 0 and 1 (e.g. 0.45), got ${minRecall}`,
    );
  const kind = choiceOption(values.format, "format", ["folder", "csv", "photos"] as const);
  const log = logToStderr;
  const dataset = await importEvaluationData(dataPath, kind, log);
  await selectBackend(backendPreference(), { logger: log });
  const { model, metadata } = await loadModelArtifacts(directory);
  try {
    const subset = { dataset, indices: Uint32Array.from({ length: dataset.manifest.count }, (_, i) => i) };
    // Fitting on the training data would tune the decision to faces the network already knows.
    await checkTrainingOverlap(subset, metadata, dataset, false, log);
    log(
      `calibrating ${toRecordedPath(directory)} (run ${metadata.runId}) on ${subset.indices.length} images`,
    );
    const probabilities = await servedProbabilities(model, metadata, subset, {
      inputFilter: metadata.inputFilter ?? NO_INPUT_FILTER,
    });
    const labels = subsetLabels(subset);
    const skipped = dataset.manifest.report.skipped;
    const before = reportFromProbabilities(probabilities, labels, {
      calibration: calibrationOf(metadata),
      skipped,
    });
    const after = calibratedReport(probabilities, labels, {
      skipped,
      ...(minRecall === undefined ? {} : { minRecall }),
    });
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ model: toRecordedPath(directory), before, after })}\n`);
    } else {
      process.stdout.write(`${formatCalibration(before, after)}\n`);
    }
    if (values["dry-run"]) {
      log("--dry-run: nothing written");
      return 0;
    }
    const written = await rewriteModelFiles(directory, model, calibratedMetadata(metadata, after), log);
    log(
      `wrote ${toRecordedPath(directory)}/metadata.json` +
        (written.onnxSha256 ? ` and model.onnx (sha256 ${written.onnxSha256.slice(0, 12)}…)` : ""),
    );
    return 0;
  } finally {
    model.dispose();
  }
}

/** The model's metadata with the new calibration and its figures (other metrics kept). */
function calibratedMetadata(metadata: ModelMetadata, report: EvaluationReport): ModelMetadata {
  // Spreading the old metrics first keeps their order: the rewritten val figures stay where they were.
  const kept = Object.fromEntries(
    Object.entries(metadata.metrics).filter(([key]) => !CLASS_BIAS_METRIC_KEYS.includes(key)),
  );
  const { classBias: _previous, ...rest } = metadata;
  return {
    ...rest,
    temperature: report.temperature!,
    ...(report.classBias ? { classBias: report.classBias } : {}),
    metrics: {
      ...kept,
      valAccuracy: report.accuracy,
      valMacroF1: report.macroF1,
      valEce: report.ece,
      valEceAfterTemperature: report.eceAfterTemperature!,
      ...classBiasMetrics(report),
    },
  };
}

/** Before, after (in-sample) and after (cross-fitted) side by side, then the fitted numbers. */
function formatCalibration(before: EvaluationReport, after: EvaluationReport): string {
  const cross = after.classBiasFit?.crossFitted;
  const rows: (string | number)[][] = [
    ["", "before", "after (in-sample)", "after (cross-fitted)"],
    ["accuracy", pct(before.accuracy), pct(after.accuracy), pct(cross?.accuracy)],
    ["macro-F1", num(before.macroF1), num(after.macroF1), num(cross?.macroF1)],
    ["ECE (served)", num(before.eceAfterTemperature), num(after.eceAfterTemperature), "-"],
    ["min recall", pct(minimumRecall(before)), pct(minimumRecall(after)), pct(cross?.minRecall)],
    ...EMOTIONS.map((emotion) => [
      `recall ${emotion}`,
      pct(before.perClass[emotion].recall),
      pct(after.perClass[emotion].recall),
      pct(cross?.recall[emotion]),
    ]),
  ];
  const bias = (report: EvaluationReport) =>
    report.classBias ? report.classBias.map((b, c) => `${EMOTIONS[c]} ${b.toFixed(2)}`).join(", ") : "none";
  const lines = [
    table(rows),
    "",
    `temperature ${num(before.temperature, 3)} → ${num(after.temperature, 3)}`,
    `class bias  ${bias(before)} → ${bias(after)}`,
  ];
  const fit = after.classBiasFit;
  if (fit) {
    lines.push(
      fit.reachedFloor
        ? `every class reaches ${pct(fit.minRecall)} recall on the fitted data`
        : `no bias on the grid brings every class to ${pct(fit.minRecall)}: the lowest recall is maximised instead`,
      "cross-fitted: temperature and bias fitted on one stratified half, every image decided by the other half's fit",
    );
  }
  return lines.join("\n");
}
