import { parseArgs } from "node:util";
import { join } from "node:path";
import { AppError } from "@moodlens/shared";
import { parseInputFilter } from "@moodlens/model";
import { env } from "../env";
import { resolveUserPath } from "../util/paths";
import { DEFAULT_AUGMENTATION, DEFAULT_TRAIN_CONFIG, type TrainConfig, type ScheduleConfig } from "../training/config";
import { createRun, executeRun, RunInterrupted, type RunOptions } from "../training/run";
import { readSpec } from "../training/run-files";
import { databaseRecorder, subprocessRecorder } from "../records/recorder";
import { choiceOption, intOption, jsonOption, numberOption } from "./args";
import { runsDirectoryFrom } from "./runs-directory";

export { runsDirectoryFrom };

export const TRAIN_USAGE = `train --data DIR|CSV|CACHE [--val DIR] [options]     start a run
train --resume RUN_ID [--run-dir DIR]                    continue a run from its last checkpoint
  --architecture compact|deep   --network '{"blockWidths":[32,64,128,256]}'
  --epochs N --batch-size N --optimizer adam|sgd --lr X --momentum X
  --schedule cosine|plateau|constant --warmup EPOCHS --min-lr X --plateau-factor X --plateau-patience N
  --label-smoothing X --class-weighting none|sqrt|balanced --no-augment --augment '{"rotation":15}'
  --input-filter none|gaussian:SIGMA (model input filter for validation/serving; recorded in metadata.json)
  --patience N (early stopping, 0 = off) --seed N --val-fraction X --config FILE.json
  --run-dir DIR (default $MOODLENS_RUNS_DIR) --run-id ID --experiment NAME --name TEXT
  --publish DIR (copy the finished model there, e.g. models/default) --register (register a model version)
  --max-epochs N (stop after N epochs in this sitting; resume later) --no-db --no-progress
  --workers 2 (data-parallel: half of each batch on a second thread/core; per sitting, not part of the config)
  --sync-process (record epochs through a child \`runs sync\` process: for runs lasting hours while the code changes)`;

const options = {
  data: { type: "string" },
  val: { type: "string" },
  resume: { type: "string" },
  "run-dir": { type: "string" },
  "run-id": { type: "string" },
  experiment: { type: "string" },
  name: { type: "string" },
  config: { type: "string" },
  architecture: { type: "string" },
  network: { type: "string" },
  epochs: { type: "string" },
  "batch-size": { type: "string" },
  optimizer: { type: "string" },
  lr: { type: "string" },
  momentum: { type: "string" },
  schedule: { type: "string" },
  warmup: { type: "string" },
  "min-lr": { type: "string" },
  "plateau-factor": { type: "string" },
  "plateau-patience": { type: "string" },
  "label-smoothing": { type: "string" },
  "class-weighting": { type: "string" },
  "no-augment": { type: "boolean" },
  augment: { type: "string" },
  "input-filter": { type: "string" },
  patience: { type: "string" },
  seed: { type: "string" },
  "val-fraction": { type: "string" },
  publish: { type: "string" },
  register: { type: "boolean" },
  "max-epochs": { type: "string" },
  "no-db": { type: "boolean" },
  "sync-process": { type: "boolean" },
  "no-progress": { type: "boolean" },
  workers: { type: "string" },
} as const;

type TrainValues = ReturnType<typeof parseArgs<{ options: typeof options; strict: true }>>["values"];

/** Config from defaults, an optional JSON file, then individual flags (later wins). */
export async function configFromArgs(values: TrainValues): Promise<TrainConfig> {
  let config: TrainConfig = structuredClone(DEFAULT_TRAIN_CONFIG);
  if (values.config) {
    const { readFileSync } = await import("node:fs");
    const fromFile = JSON.parse(readFileSync(resolveUserPath(values.config), "utf8")) as Partial<TrainConfig>;
    config = { ...config, ...fromFile };
  }
  const architecture = choiceOption(values.architecture, "architecture", ["compact", "deep"] as const);
  const network = jsonOption<Record<string, unknown>>(values.network, "network");
  if (architecture || network) {
    config.network = { ...(architecture && architecture !== config.network.architecture ? { architecture } : config.network), ...(architecture ? { architecture } : {}), ...(network ?? {}) } as TrainConfig["network"];
  }
  const set = <K extends keyof TrainConfig>(key: K, value: TrainConfig[K] | undefined) => {
    if (value !== undefined) config[key] = value;
  };
  set("epochs", intOption(values.epochs, "epochs"));
  set("batchSize", intOption(values["batch-size"], "batch-size"));
  set("optimizer", choiceOption(values.optimizer, "optimizer", ["adam", "sgd"] as const));
  set("learningRate", numberOption(values.lr, "lr"));
  set("momentum", numberOption(values.momentum, "momentum"));
  set("labelSmoothing", numberOption(values["label-smoothing"], "label-smoothing"));
  set("classWeighting", choiceOption(values["class-weighting"], "class-weighting", ["none", "sqrt", "balanced"] as const));
  set("earlyStoppingPatience", intOption(values.patience, "patience"));
  set("seed", intOption(values.seed, "seed"));
  set("valFraction", numberOption(values["val-fraction"], "val-fraction"));
  const kind = choiceOption(values.schedule, "schedule", ["cosine", "plateau", "constant"] as const) ?? config.schedule.kind;
  const minLearningRate = numberOption(values["min-lr"], "min-lr");
  let schedule: ScheduleConfig;
  if (kind === "cosine") {
    const previous = config.schedule.kind === "cosine" ? config.schedule : { warmupEpochs: 1, minLearningRate: 1e-5 };
    schedule = { kind, warmupEpochs: numberOption(values.warmup, "warmup") ?? previous.warmupEpochs, minLearningRate: minLearningRate ?? previous.minLearningRate };
  } else if (kind === "plateau") {
    const previous = config.schedule.kind === "plateau" ? config.schedule : { factor: 0.5, patience: 3, minLearningRate: 1e-5 };
    schedule = {
      kind,
      factor: numberOption(values["plateau-factor"], "plateau-factor") ?? previous.factor,
      patience: intOption(values["plateau-patience"], "plateau-patience") ?? previous.patience,
      minLearningRate: minLearningRate ?? previous.minLearningRate,
    };
  } else schedule = { kind: "constant" };
  config.schedule = schedule;
  if (values["input-filter"] !== undefined) config.inputFilter = parseInputFilter(values["input-filter"]);
  if (values["no-augment"]) config.augmentation = null;
  const augment = jsonOption<Partial<typeof DEFAULT_AUGMENTATION>>(values.augment, "augment");
  if (augment) config.augmentation = { ...(config.augmentation ?? DEFAULT_AUGMENTATION), ...augment };
  return config;
}


/** SIGINT/SIGTERM: finish nothing half-way; stop at the next batch, leaving the last checkpoint as the resume point. */
function interruptHook(): { onBatch: RunOptions["onBatch"]; detach: () => void } {
  let signal: string | undefined;
  const handler = (name: string) => () => {
    if (signal) process.exit(130); // second signal: the user means it
    signal = name;
    process.stderr.write(`\n${name}: stopping after this batch (the last checkpoint stays the resume point)\n`);
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
  if (workers < 1 || workers > 2) throw new AppError("BAD_USER_INPUT", "--workers must be 1 or 2 (data-parallel halves of each batch)");
  const runsDirectory = runsDirectoryFrom(values["run-dir"]);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const interrupt = interruptHook();
  const runOptions: RunOptions = {
    cacheDirectory: resolveUserPath(env().MOODLENS_CACHE_DIR),
    log,
    progress: !values["no-progress"],
    ...(values["no-db"] ? {} : { recorder: values["sync-process"] ? subprocessRecorder() : databaseRecorder() }),
    onBatch: interrupt.onBatch,
    workers,
    ...(values["max-epochs"] ? { maxEpochsThisSitting: intOption(values["max-epochs"], "max-epochs") } : {}),
  };
  try {
    let runDirectory: string;
    if (values.resume) {
      runDirectory = join(runsDirectory, values.resume);
      try {
        readSpec(runDirectory);
      } catch {
        throw new AppError("NOT_FOUND", `no run ${values.resume} in ${runsDirectory}`, { hint: "pass the folder holding it with --run-dir" });
      }
    } else {
      if (!values.data) throw new AppError("BAD_USER_INPUT", "--data is required (or --resume RUN_ID)", { hint: TRAIN_USAGE.split("\n")[0] });
      const config = await configFromArgs(values);
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
        },
        runOptions,
      );
      runDirectory = created.runDirectory;
      log(`run ${created.runId} in ${runDirectory}`);
    }
    const outcome = await executeRun(runDirectory, runOptions);
    const last = outcome.journal.at(-1);
    process.stdout.write(
      `${JSON.stringify({ runId: outcome.runId, status: outcome.status, epochs: outcome.journal.length, lastValAccuracy: last?.valAccuracy, evaluation: outcome.evaluation?.report ? { accuracy: outcome.evaluation.report.accuracy, macroF1: outcome.evaluation.report.macroF1, temperature: outcome.evaluation.report.temperature } : undefined, syncProblem: outcome.syncProblem })}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof RunInterrupted) {
      log(`run stopped (${error.signal}); resume with: npm run trainer -- train --resume <runId> --run-dir ${runsDirectory}`);
      return 130;
    }
    throw error;
  } finally {
    interrupt.detach();
  }
}
