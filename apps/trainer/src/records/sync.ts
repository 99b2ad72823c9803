import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  createRun,
  getRun,
  recordEpoch,
  recordEvaluation,
  registerModelVersion,
  updateRun,
  type Db,
} from "@moodlens/db";
import type { RunStatus } from "@moodlens/shared";
import { flattenParams } from "../training/config";
import {
  RUN_FILES,
  readCheckpointPointer,
  readEvaluation,
  readJournal,
  readSpec,
  readStatus,
  readSync,
  writeSync,
  type RunSpec,
  type SyncFile,
} from "../run/run-files";
import type { TrainerEpochLog } from "../training/state";
import { withDatabase } from "./database";
import { fromRecordedPath } from "../util/paths";

/** The run's parameters as stored in the database (flat, so `runs compare` can diff them key by key). */
export function runParams(spec: RunSpec): Record<string, unknown> {
  return {
    ...flattenParams(spec.config),
    "data.train": spec.data.train.source,
    "data.val": spec.data.val?.source ?? `split ${spec.config.valFraction}`,
    "data.trainCount": spec.data.trainCount,
    "data.valCount": spec.data.valCount,
    "data.valFingerprint": spec.data.valFingerprint,
  };
}

const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : null);

/**
 * Brings the database in line with a run folder (the source of truth): creates the run row, upserts every
 * committed epoch (idempotent on (runId, epoch)), stores the final evaluation once, sets the status, and
 * registers the model version when asked. The database shows "completed" only after every epoch and the
 * evaluation are in, so a half-synced run is never reported finished. Safe to repeat any number of times.
 */
export async function syncRunToDatabase(runDirectory: string, given?: Db): Promise<SyncFile> {
  const spec = readSpec(runDirectory);
  const status = readStatus(runDirectory);
  const pointer = readCheckpointPointer(runDirectory);
  const journal: TrainerEpochLog[] = pointer?.trainer.journal ?? readJournal(runDirectory);
  const evaluation = readEvaluation(runDirectory);
  const previous = readSync(runDirectory);
  try {
    const result = await withDatabase(async (db) => {
      const prisma = db.prisma;
      let run = await getRun(prisma, spec.runId);
      if (!run) {
        await createRun(prisma, {
          id: spec.runId,
          experiment: { name: spec.experiment },
          name: spec.name ?? spec.runId,
          status: "running",
          params: runParams(spec),
          architecture: spec.config.network.architecture,
          backend: spec.backend,
          codeVersion: spec.codeVersion,
          datasetFingerprint: spec.data.trainFingerprint,
          seed: spec.config.seed,
          startedAt: new Date(spec.createdAt),
        });
        run = await getRun(prisma, spec.runId);
      }
      for (const log of journal) await recordEpoch(prisma, spec.runId, log);

      let evaluationStored = previous.evaluation && run!.evaluations.length > 0;
      if (evaluation && !evaluationStored) {
        const already = run!.evaluations.some(
          (row) => row.split === "val" && Math.abs(row.accuracy - evaluation.report.accuracy) < 1e-12,
        );
        if (!already) {
          await recordEvaluation(prisma, {
            runId: spec.runId,
            datasetName: evaluation.data,
            datasetFingerprint: spec.data.valFingerprint,
            split: "val",
            report: evaluation.report,
          });
        }
        evaluationStored = true;
      }

      const imagesPerSec = mean(journal.map((log) => log.imagesPerSec));
      const cpuShares = journal.map((log) => log.cpuShare).filter((v): v is number => typeof v === "number");
      const cpuShare = mean(cpuShares);
      const bestEpoch = pointer?.trainer.bestEpoch ?? null;
      const finalStatus: RunStatus =
        status.status === "completed" && !evaluationStored
          ? "running"
          : status.status === "queued"
            ? "running"
            : status.status;
      await updateRun(prisma, spec.runId, {
        status: finalStatus,
        imagesPerSec,
        cpuShare: cpuShare === null ? null : cpuShare / spec.host.cpus,
        bestEpoch,
        durationSeconds: pointer ? pointer.trainer.trainSeconds : null,
        metrics: {
          epochs: journal.length,
          bestValAccuracy: pointer?.trainer.bestValAccuracy ?? null,
          ...(evaluation
            ? {
                valAccuracy: evaluation.report.accuracy,
                valMacroF1: evaluation.report.macroF1,
                valEce: evaluation.report.ece,
                valEceAfterTemperature: evaluation.report.eceAfterTemperature ?? null,
                temperature: evaluation.report.temperature ?? null,
              }
            : {}),
        },
        error: status.error ?? null,
      });

      let modelVersion = previous.modelVersion;
      const modelDirectory = spec.publishTo
        ? fromRecordedPath(spec.publishTo)
        : join(runDirectory, RUN_FILES.model);
      if (
        spec.register &&
        finalStatus === "completed" &&
        !modelVersion &&
        existsSync(join(modelDirectory, "metadata.json"))
      ) {
        const existing = (await getRun(prisma, spec.runId))?.modelVersions[0];
        if (existing) modelVersion = existing.version;
        else {
          // Loaded lazily: @moodlens/model brings tfjs, which this frequent, short-lived sync does not otherwise need.
          const { readModelMetadata } = await import("@moodlens/model");
          const metadata = await readModelMetadata(modelDirectory);
          const created = await registerModelVersion(prisma, {
            runId: spec.runId,
            path: modelDirectory,
            metrics: metadata.metrics,
            metadata: metadata as unknown as Record<string, unknown>,
            weightsSha256: metadata.weightsSha256,
          });
          modelVersion = created.version;
        }
      }
      const sync: SyncFile = {
        epochs: journal.length,
        evaluation: evaluationStored,
        final: finalStatus === "completed" || finalStatus === "failed" || finalStatus === "interrupted",
        ...(modelVersion ? { modelVersion } : {}),
        syncedAt: new Date().toISOString(),
      };
      return sync;
    }, given);
    writeSync(runDirectory, result);
    return result;
  } catch (error) {
    writeSync(runDirectory, {
      ...previous,
      lastError: error instanceof Error ? error.message.split("\n")[0] : String(error),
    });
    throw error;
  }
}
