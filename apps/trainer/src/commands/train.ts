import { parseArgs } from "node:util";
import { join } from "node:path";
import { AppError } from "@moodlens/shared";
import { parseBackendPreference } from "@moodlens/model";
import { env } from "../env";
import { resolveUserPath, toRecordedPath } from "../util/paths";
import { createRun } from "../run/create-run";
import { executeRun, RunInterrupted } from "../run/execute-run";
import type { RunOptions } from "../run/run-options";
import { readSpec } from "../run/run-files";
import { databaseRecorder, subprocessRecorder } from "../records/recorder";
import { intOption, numberOption } from "./args";
import { runsDirectoryFrom } from "./runs-directory";
import { configFromArgs, RUN_DATA_OPTIONS, TRAINING_CONFIG_OPTIONS } from "./training-options";
import { TRAIN_USAGE } from "./usage";
import { logToStderr } from "../util/log";

export { runsDirectoryFrom };

const options = {
  ...RUN_DATA_OPTIONS,
  ...TRAINING_CONFIG_OPTIONS,
  resume: { type: "string" },
  "run-id": { type: "string" },
  name: { type: "string" },
  publish: { type: "string" },
  register: { type: "boolean" },
  "max-epochs": { type: "string" },
  "no-db": { type: "boolean" },
  "sync-process": { type: "boolean" },
  "no-progress": { type: "boolean" },
  workers: { type: "string" },
  backend: { type: "string" },
  precision: { type: "string" },
  "min-recall": { type: "string" },
} as const;

/** SIGINT/SIGTERM: finish nothing half-way; stop at the next batch, leaving the last checkpoint as the resume point. */
function interruptHook(): { onBatch: RunOptions["onBatch"]; detach: () => void } {
  let signal: string | undefined;
  const handler = (name: string) => () => {
    if (signal) process.exit(130); // second signal: the user means it
    signal = name;
    process.stderr.write(
      `\n${name}: stopping after this batch (the last checkpoint stays the resume point)\n`,
    );
  };
  const onInt = handler("SIGINT");
  const onTerm = handler("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return {
    onBatch: () => {
      if (signal) throw new RunInterrupted(signal);
    },
    detach: () => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    },
  };
}

export async function trainCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  const workers = intOption(values.workers, "workers") ?? 1;
  if (workers < 1 || workers > 2)
    throw new AppError("BAD_USER_INPUT", "--workers must be 1 or 2 (data-parallel halves of each batch)");
  const backend = values.backend === undefined ? undefined : parseBackendPreference(values.backend);
  if (values.precision !== undefined && values.precision !== "fp32" && values.precision !== "bf16") {
    throw new AppError("BAD_USER_INPUT", "--precision must be fp32 or bf16 (bf16: native engine only)");
  }
  const runsDirectory = runsDirectoryFrom(values["run-dir"]);
  const log = logToStderr;
  const interrupt = interruptHook();
  const runOptions: RunOptions = {
    cacheDirectory: resolveUserPath(env().MOODLENS_CACHE_DIR),
    log,
    progress: !values["no-progress"],
    ...(values["no-db"]
      ? {}
      : { recorder: values["sync-process"] ? subprocessRecorder() : databaseRecorder() }),
    onBatch: interrupt.onBatch,
    workers,
    ...(backend ? { backend } : {}),
    ...(values.precision ? { precision: values.precision } : {}),
    // The native engine splits each batch over threads: --workers sets how many (default: every core).
    ...(values.workers ? { nativeThreads: workers } : {}),
    nativeDisabled: env().MOODLENS_NATIVE === "off",
    ...(values["max-epochs"] ? { maxEpochsThisSitting: intOption(values["max-epochs"], "max-epochs") } : {}),
  };
  try {
    let runDirectory: string;
    if (values.resume) {
      runDirectory = join(runsDirectory, values.resume);
      try {
        readSpec(runDirectory);
      } catch {
        throw new AppError("NOT_FOUND", `no run ${values.resume} in ${runsDirectory}`, {
          hint: "pass the folder holding it with --run-dir",
        });
      }
    } else {
      if (!values.data)
        throw new AppError("BAD_USER_INPUT", "--data is required (or --resume RUN_ID)", {
          hint: TRAIN_USAGE.split("\n")[0],
        });
      const config = configFromArgs(values, runsDirectory);
      const minRecall = numberOption(values["min-recall"], "min-recall");
      if (minRecall !== undefined && !(minRecall > 0 && minRecall < 1))
        throw new AppError(
          "BAD_USER_INPUT",
          `--min-recall must be between 0 and 1 (e.g. 0.45), got ${minRecall}`,
        );
      const created = await createRun(
        {
          runsDirectory,
          ...(values["run-id"] ? { runId: values["run-id"] } : {}),
          experiment: values.experiment ?? "default",
          ...(values.name ? { name: values.name } : {}),
          config,
          dataPath: resolveUserPath(values.data),
          ...(values.val ? { valPath: resolveUserPath(values.val) } : {}),
          ...(values.publish ? { publishTo: resolveUserPath(values.publish) } : {}),
          ...(values.register ? { register: true } : {}),
          ...(minRecall !== undefined ? { minRecall } : {}),
        },
        runOptions,
      );
      runDirectory = created.runDirectory;
      log(`run ${created.runId} in ${toRecordedPath(runDirectory)}`);
    }
    const outcome = await executeRun(runDirectory, runOptions);
    const last = outcome.journal.at(-1);
    process.stdout.write(
      `${JSON.stringify({ runId: outcome.runId, status: outcome.status, epochs: outcome.journal.length, lastValAccuracy: last?.valAccuracy, evaluation: outcome.evaluation?.report ? { accuracy: outcome.evaluation.report.accuracy, macroF1: outcome.evaluation.report.macroF1, temperature: outcome.evaluation.report.temperature } : undefined, syncProblem: outcome.syncProblem })}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof RunInterrupted) {
      log(
        `run stopped (${error.signal}); resume with: npm run trainer -- train --resume <runId> --run-dir ${runsDirectory}`,
      );
      return 130;
    }
    throw error;
  } finally {
    interrupt.detach();
  }
}
