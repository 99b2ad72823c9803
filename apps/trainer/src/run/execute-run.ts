import { AppError, type EpochLog } from "@moodlens/shared";
import { selectBackend, type ModelMetadata } from "@moodlens/model";
import { Trainer } from "../training/trainer";
import { readCheckpointPointer, saveCheckpoint } from "./checkpoint";
import { chooseTrainingEngine } from "./engine-choice";
import { finishRun } from "./finish-run";
import { loadRunData } from "./run-data";
import { readSpec, readStatus, updateStatus, writeJournal, type StoredEvaluation } from "./run-files";
import { runLog, type RunOptions } from "./run-options";
import { teacherProbabilities } from "./teachers";
import { startFromCheckpoint, startFromInitWeights } from "./trainer-start";
import { backendPreference } from "../env";

export interface RunOutcome {
  runId: string;
  status: "completed" | "paused";
  journal: EpochLog[];
  evaluation?: StoredEvaluation;
  metadata?: ModelMetadata;
  syncProblem?: string;
}

/** Raised from the batch hook when SIGINT/SIGTERM asked the run to stop; the last checkpoint stays valid. */
export class RunInterrupted extends Error {
  constructor(readonly signal: string) {
    super(`interrupted by ${signal}`);
  }
}

/**
 * Runs (or resumes) a run from its folder: restores the committed checkpoint if any, trains the remaining epochs
 * with a checkpoint + journal + database sync after each, then finishes (best weights → evaluation with
 * temperature → model files). Safe to call again after a crash at any point: every step is idempotent.
 */
export async function executeRun(runDirectory: string, options: RunOptions): Promise<RunOutcome> {
  const log = runLog(options);
  const spec = readSpec(runDirectory);
  const status = readStatus(runDirectory);
  if (status.status === "completed") {
    throw new AppError("CONFLICT", `run ${spec.runId} is already completed`, {
      hint: "start a new run, or `npm run trainer -- runs sync` to push its records",
    });
  }
  const backend = await selectBackend(options.backend ?? backendPreference(), {
    forTraining: true,
    logger: log,
  });
  const { parts } = await loadRunData(spec, options);
  const pointer = readCheckpointPointer(runDirectory);
  const teachers = spec.config.distillation
    ? await teacherProbabilities(spec.config.distillation, parts.train, log, options.nativeDisabled)
    : undefined;
  const engine = chooseTrainingEngine(spec.config, backend, options, log);
  const trainerOptions = {
    progress: options.progress,
    log,
    onBatch: options.onBatch,
    workers: options.workers,
    ...(engine ? { engine } : {}),
    ...(teachers ? { teacherProbabilities: teachers } : {}),
  };

  let trainer: Trainer;
  if (pointer) {
    trainer = new Trainer(
      spec.config,
      parts,
      trainerOptions,
      await startFromCheckpoint(runDirectory, pointer, spec.config),
    );
    log(
      `resuming run ${spec.runId} after epoch ${pointer.epoch} (best val acc ${pointer.trainer.bestValAccuracy?.toFixed(4)} at epoch ${pointer.trainer.bestEpoch})`,
    );
    // Whatever a kill left in the journal beyond the checkpoint is rewritten from the committed state.
    writeJournal(runDirectory, pointer.trainer.journal);
  } else {
    const initial = spec.config.initFrom ? startFromInitWeights(spec.config) : undefined;
    trainer = new Trainer(spec.config, parts, trainerOptions, initial);
    log(
      `run ${spec.runId}: ${parts.train.indices.length} training / ${parts.val.indices.length} validation images, ${trainer.model.countParams()} parameters, ${spec.config.network.architecture}`,
    );
    if (spec.config.initFrom)
      log(
        `initial weights from ${spec.config.initFrom.source} (sha256 ${spec.config.initFrom.weightsSha256.slice(0, 12)}…)`,
      );
  }
  updateStatus(runDirectory, { status: "running" });
  let syncProblem = await sync(options, runDirectory, log);

  try {
    let epochsThisSitting = 0;
    if (!trainer.finished) {
      for await (const result of trainer.epochs()) {
        await saveCheckpoint(runDirectory, trainer.model, trainer.optimizer, result.state, result.isBest);
        writeJournal(runDirectory, result.state.journal);
        syncProblem = await sync(options, runDirectory, log);
        epochsThisSitting += 1;
        if (
          options.maxEpochsThisSitting !== undefined &&
          epochsThisSitting >= options.maxEpochsThisSitting &&
          !trainer.finished
        ) {
          updateStatus(runDirectory, { status: "interrupted" });
          log(`paused after epoch ${result.state.epoch}; resume with --resume ${spec.runId}`);
          return {
            runId: spec.runId,
            status: "paused",
            journal: result.state.journal,
            ...(syncProblem ? { syncProblem } : {}),
          };
        }
      }
    }
    const finished = await finishRun(runDirectory, spec, trainer, parts, log);
    updateStatus(runDirectory, { status: "completed", finishedAt: new Date().toISOString() });
    syncProblem = await sync(options, runDirectory, log);
    return {
      runId: spec.runId,
      status: "completed",
      journal: trainer.state.journal,
      ...finished,
      ...(syncProblem ? { syncProblem } : {}),
    };
  } catch (error) {
    const interrupted = error instanceof RunInterrupted;
    updateStatus(runDirectory, {
      status: interrupted ? "interrupted" : "failed",
      error: error instanceof Error ? error.message : String(error),
    });
    await sync(options, runDirectory, log);
    throw error;
  } finally {
    trainer.dispose();
  }
}

async function sync(
  options: RunOptions,
  runDirectory: string,
  log: (line: string) => void,
): Promise<string | undefined> {
  if (!options.recorder) return undefined;
  const problem = await options.recorder.sync(runDirectory);
  if (problem) log(`database sync postponed (${problem}); the run continues and syncs later`);
  return problem;
}
