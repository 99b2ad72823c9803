import { existsSync, mkdirSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { AppError } from "@moodlens/shared";
import { selectBackend } from "@moodlens/model";
import { subsetFingerprint } from "../dataset/partition";
import { reportPartition } from "../dataset/partition-report";
import { validateTrainConfig, type TrainConfig } from "../training/config";
import { toRecordedPath } from "../util/paths";
import { codeVersion } from "./code-version";
import { loadRunData } from "./run-data";
import { RUN_FILES, updateStatus, writeSpec, type DataReference, type RunSpec } from "./run-files";
import { newRunId } from "./run-id";
import type { RunOptions } from "./run-options";
import { backendPreference } from "../env";

export interface NewRunInput {
  runsDirectory: string;
  runId?: string;
  experiment: string;
  name?: string;
  config: TrainConfig;
  dataPath: string;
  valPath?: string;
  publishTo?: string;
  register?: boolean;
  minRecall?: number;
}

const kindOf = (path: string) =>
  (existsSync(path) && !path.endsWith(".csv") ? "folder" : "csv") as DataReference["kind"];

/** Creates the run folder and its run.json; the training itself starts with executeRun. */
export async function createRun(
  input: NewRunInput,
  options: RunOptions,
): Promise<{ runId: string; runDirectory: string }> {
  const config = validateTrainConfig(input.config);
  const runId = input.runId ?? newRunId();
  const runDirectory = join(input.runsDirectory, runId);
  if (existsSync(join(runDirectory, RUN_FILES.spec))) {
    throw new AppError("CONFLICT", `run ${runId} already exists in ${input.runsDirectory}`, {
      hint: `resume it with --resume ${runId}`,
    });
  }
  const data = await loadRunData(
    {
      config,
      data: {
        train: { source: input.dataPath, kind: kindOf(input.dataPath) },
        val: input.valPath ? { source: input.valPath, kind: kindOf(input.valPath) } : null,
      },
    },
    options,
  );
  reportPartition(
    data.parts,
    {
      train: toRecordedPath(input.dataPath),
      ...(input.valPath ? { val: toRecordedPath(input.valPath) } : {}),
    },
    options.log ?? (() => {}),
  );
  const backend = await selectBackend(options.backend ?? backendPreference(), {
    forTraining: true,
    logger: options.log,
  });
  mkdirSync(runDirectory, { recursive: true });
  const spec: RunSpec = {
    format: "moodlens-run/1",
    runId,
    experiment: input.experiment,
    ...(input.name ? { name: input.name } : {}),
    createdAt: new Date().toISOString(),
    config,
    data: {
      train: {
        source: toRecordedPath(input.dataPath),
        kind: data.train.manifest.source.kind,
        fingerprint: data.train.manifest.fingerprint,
        count: data.train.manifest.count,
      },
      val:
        data.val && input.valPath
          ? {
              source: toRecordedPath(input.valPath),
              kind: data.val.manifest.source.kind,
              fingerprint: data.val.manifest.fingerprint,
              count: data.val.manifest.count,
            }
          : null,
      trainFingerprint: subsetFingerprint(data.parts.train),
      valFingerprint: subsetFingerprint(data.parts.val),
      trainCount: data.parts.train.indices.length,
      valCount: data.parts.val.indices.length,
    },
    backend: backend.name,
    codeVersion: codeVersion(),
    ...(input.publishTo ? { publishTo: toRecordedPath(input.publishTo) } : {}),
    ...(input.register ? { register: true } : {}),
    ...(input.minRecall !== undefined ? { minRecall: input.minRecall } : {}),
    host: { cpus: cpus().length, node: process.version },
  };
  writeSpec(runDirectory, spec);
  updateStatus(runDirectory, { status: "queued" });
  return { runId, runDirectory };
}
