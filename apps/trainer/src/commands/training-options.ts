import type { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { parseInputFilter } from "@moodlens/model";
import { invocationDirectory, resolveUserPath } from "../util/paths";
import { AppError } from "@moodlens/shared";
import { resolveInitFrom } from "../run/init-weights";
import { resolveTeacher } from "../run/teachers";
import {
  DEFAULT_AUGMENTATION,
  DEFAULT_DISTILLATION_WEIGHT,
  DEFAULT_TRAIN_CONFIG,
  type TrainConfig,
  type ScheduleConfig,
} from "../training/config";
import { choiceOption, intOption, jsonOption, numberOption } from "./args";

/**
 * The options `train` and `search` share: where the data is and where runs go, and every option that builds a
 * training config (`search` uses them as the base config of its trials). Their text is TRAINING_CONFIG_USAGE in
 * usage.ts.
 */
export const RUN_DATA_OPTIONS = {
  data: { type: "string" },
  val: { type: "string" },
  "run-dir": { type: "string" },
  experiment: { type: "string" },
} as const;

export const TRAINING_CONFIG_OPTIONS = {
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
  "init-from": { type: "string" },
  "distill-from": { type: "string" },
  "distill-weight": { type: "string" },
} as const;

export type TrainingConfigValues = ReturnType<
  typeof parseArgs<{ options: typeof TRAINING_CONFIG_OPTIONS; strict: true }>
>["values"];

/**
 * Config from defaults, an optional JSON file, then individual flags (later wins). `runsDirectory` is where
 * `--init-from RUN_ID` looks for the run.
 */
export function configFromArgs(values: TrainingConfigValues, runsDirectory: string): TrainConfig {
  let config: TrainConfig = structuredClone(DEFAULT_TRAIN_CONFIG);
  if (values.config) {
    const fromFile = JSON.parse(readFileSync(resolveUserPath(values.config), "utf8")) as Partial<TrainConfig>;
    config = { ...config, ...fromFile };
  }
  const architecture = choiceOption(values.architecture, "architecture", ["compact", "deep"] as const);
  const network = jsonOption<Record<string, unknown>>(values.network, "network");
  if (architecture || network) {
    config.network = {
      ...(architecture && architecture !== config.network.architecture ? { architecture } : config.network),
      ...(architecture ? { architecture } : {}),
      ...(network ?? {}),
    } as TrainConfig["network"];
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
  set(
    "classWeighting",
    choiceOption(values["class-weighting"], "class-weighting", ["none", "sqrt", "balanced"] as const),
  );
  set("earlyStoppingPatience", intOption(values.patience, "patience"));
  set("seed", intOption(values.seed, "seed"));
  set("valFraction", numberOption(values["val-fraction"], "val-fraction"));
  const kind =
    choiceOption(values.schedule, "schedule", ["cosine", "plateau", "constant"] as const) ??
    config.schedule.kind;
  const minLearningRate = numberOption(values["min-lr"], "min-lr");
  let schedule: ScheduleConfig;
  if (kind === "cosine") {
    const previous =
      config.schedule.kind === "cosine" ? config.schedule : { warmupEpochs: 1, minLearningRate: 1e-5 };
    schedule = {
      kind,
      warmupEpochs: numberOption(values.warmup, "warmup") ?? previous.warmupEpochs,
      minLearningRate: minLearningRate ?? previous.minLearningRate,
    };
  } else if (kind === "plateau") {
    const previous =
      config.schedule.kind === "plateau"
        ? config.schedule
        : { factor: 0.5, patience: 3, minLearningRate: 1e-5 };
    schedule = {
      kind,
      factor: numberOption(values["plateau-factor"], "plateau-factor") ?? previous.factor,
      patience: intOption(values["plateau-patience"], "plateau-patience") ?? previous.patience,
      minLearningRate: minLearningRate ?? previous.minLearningRate,
    };
  } else schedule = { kind: "constant" };
  config.schedule = schedule;
  if (values["input-filter"] !== undefined) config.inputFilter = parseInputFilter(values["input-filter"]);
  if (values["init-from"] !== undefined)
    config.initFrom = resolveInitFrom(values["init-from"], runsDirectory, invocationDirectory());
  if (values["distill-from"] !== undefined) {
    config.distillation = {
      teachers: values["distill-from"]
        .split(",")
        .filter((reference) => reference.trim() !== "")
        .map((reference) => resolveTeacher(reference.trim(), runsDirectory, invocationDirectory())),
      weight: numberOption(values["distill-weight"], "distill-weight") ?? DEFAULT_DISTILLATION_WEIGHT,
    };
  } else if (values["distill-weight"] !== undefined) {
    throw new AppError("CONFIG_INVALID", "--distill-weight needs --distill-from");
  }
  if (values["no-augment"]) config.augmentation = null;
  const augment = jsonOption<Partial<typeof DEFAULT_AUGMENTATION>>(values.augment, "augment");
  if (augment) config.augmentation = { ...(config.augmentation ?? DEFAULT_AUGMENTATION), ...augment };
  return config;
}
