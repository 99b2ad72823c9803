import { parseArgs } from "node:util";
import { AppError } from "@moodlens/shared";
import {
  exportOnnx,
  loadModelArtifacts,
  mergeIntoEnsemble,
  saveModelArtifacts,
  selectBackend,
  type ModelMetadata,
  type tf,
} from "@moodlens/model";
import { backendPreference } from "../env";
import { modelDirectoryFrom } from "../evaluation/model-source";
import { logToStderr } from "../util/log";
import { resolveUserPath, toRecordedPath } from "../util/paths";
import { required } from "./args";
import { ENSEMBLE_USAGE } from "./usage";

/**
 * Writes one model folder that serves several trained models together (networks/ensemble.ts: the mean of their
 * logits through one softmax), uncalibrated: run `calibrate` on the validation data next (and `quantize` to serve
 * it as int8), then measure it with `evaluate` like any model.
 */
export async function ensembleCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { models: { type: "string" }, out: { type: "string" } },
    strict: true,
  });
  const usage = ENSEMBLE_USAGE.split("\n")[0];
  const sources = required(values.models, "models", usage)
    .split(",")
    .map((source) => modelDirectoryFrom(source.trim()));
  const out = resolveUserPath(required(values.out, "out", usage));
  if (sources.length < 2)
    throw new AppError("BAD_USER_INPUT", "--models needs at least two models, comma-separated");
  await selectBackend(backendPreference(), { logger: logToStderr });
  const members: { model: tf.LayersModel; metadata: ModelMetadata; source: string }[] = [];
  try {
    for (const source of sources)
      members.push({ ...(await loadModelArtifacts(source)), source: toRecordedPath(source) });
    const first = members[0]!.metadata;
    for (const { metadata, source } of members) {
      if (JSON.stringify(metadata.inputFilter ?? null) !== JSON.stringify(first.inputFilter ?? null))
        throw new AppError(
          "BAD_USER_INPUT",
          `${source} filters its input differently from ${members[0]!.source}`,
        );
      if (metadata.architecture !== first.architecture)
        throw new AppError(
          "BAD_USER_INPUT",
          `${source} is a ${metadata.architecture} network, ${members[0]!.source} a ${first.architecture} one`,
        );
    }
    const merged = mergeIntoEnsemble(members.map(({ model }) => model));
    try {
      const fingerprints = [...new Set(members.map(({ metadata }) => metadata.datasetFingerprint))];
      const metadata = await saveModelArtifacts(
        merged,
        out,
        {
          architecture: first.architecture,
          ...(first.inputFilter ? { inputFilter: first.inputFilter } : {}),
          hyperparameters: {
            ensemble: members.map(({ metadata, source }) => ({
              source,
              runId: metadata.runId,
              weightsSha256: metadata.weightsSha256,
              valAccuracy: metadata.metrics.valAccuracy ?? null,
            })),
            combine: "softmax of the mean of the members' logits",
          },
          runId: `ensemble(${members.map(({ metadata }) => metadata.runId).join(",")})`,
          datasetFingerprint: fingerprints.join("+"),
          metrics: {},
        },
        { onnx: exportOnnx(merged) },
      );
      process.stdout.write(
        `${JSON.stringify({ model: toRecordedPath(out), runId: metadata.runId, members: members.length })}\n`,
      );
      logToStderr(
        `next: npm run trainer -- calibrate --model ${toRecordedPath(out)} --data <validation folder>`,
      );
    } finally {
      merged.dispose();
    }
    return 0;
  } finally {
    for (const { model } of members) model.dispose();
  }
}
