import { AppError } from "@moodlens/shared";
import { validateInputFilter, type InputFilter, type NetworkConfigInput } from "@moodlens/model";

/**
 * Where a run's initial weights come from when it does not start from random ones: the weights folder of another
 * run (fine-tuning, or a warm restart of the learning-rate schedule that continues a finished training). Recorded
 * in the run's config, so `runs compare` shows it and a restart before the first checkpoint loads the same bytes.
 */
export interface InitFrom {
  /** A weights folder (`weights.json` + `weights.bin`, the trainer's checkpoint format), as toRecordedPath stores it. */
  source: string;
  /** sha256 of weights.bin: a run restarted later refuses weights that changed underneath it. */
  weightsSha256: string;
}

/** A served model whose probabilities teach this run (knowledge distillation), recorded like InitFrom. */
export interface Teacher {
  /** The teacher's model folder (`model.json` + `weights.bin` + `metadata.json`), as toRecordedPath stores it. */
  source: string;
  /** sha256 of its weights.bin: a resumed run refuses a teacher that changed underneath it. */
  weightsSha256: string;
}

/**
 * Knowledge distillation: each training image's target becomes (1 − weight) · its label-smoothed one-hot label +
 * weight · the teachers' mean probabilities for that image (each teacher's plain softmax, averaged with its
 * mirror image). An ensemble's knowledge then trains one network that costs what one network costs to serve.
 */
export interface DistillationConfig {
  teachers: Teacher[];
  /** Share of the teachers' probabilities in every target, in (0, 1]. */
  weight: number;
}

/** Half teachers, half labels: the labels keep their say where the teachers are confidently wrong. */
export const DEFAULT_DISTILLATION_WEIGHT = 0.5;

export interface AugmentationConfig {
  /** Mirror left-right with probability 0.5. */
  flip: boolean;
  /** Max translation, as a fraction of the side (0.1 = up to ±4.8 px). */
  shift: number;
  /** Max rotation in degrees (±). */
  rotation: number;
  /** Max zoom change (0.1 = scale in [0.9, 1.1]). */
  zoom: number;
  /** Max brightness offset, as a fraction of 255 (±). */
  brightness: number;
  /** Max contrast change (0.2 = contrast factor in [0.8, 1.2]). */
  contrast: number;
  /**
   * Probability of random erasing (Zhong et al. 2017): one rectangle of 2-40 % of the crop, aspect 0.3-3.3,
   * filled with noise, so the network cannot lean on one region (a mouth, an eyebrow). Absent = 0 (runs started
   * before it existed keep their exact random draws).
   */
  erasing?: number;
}

export type ScheduleConfig =
  | { kind: "constant" }
  /** Linear warm-up, then cosine decay to minLearningRate at the last planned epoch (per step). */
  | { kind: "cosine"; warmupEpochs: number; minLearningRate: number }
  /** Multiply the rate by `factor` after `patience` epochs without a better validation loss. */
  | { kind: "plateau"; factor: number; patience: number; minLearningRate: number };

export type ClassWeighting = "none" | "sqrt" | "balanced";

export interface TrainConfig {
  network: NetworkConfigInput;
  epochs: number;
  batchSize: number;
  optimizer: "adam" | "sgd";
  learningRate: number;
  /** SGD momentum (Nesterov); ignored by Adam. */
  momentum: number;
  schedule: ScheduleConfig;
  labelSmoothing: number;
  /** Loss weights per class: inverse frequency ("balanced"), its square root ("sqrt", gentler), or none. */
  classWeighting: ClassWeighting;
  augmentation: AugmentationConfig | null;
  /** Stop after this many epochs without a better validation accuracy (0 = never). */
  earlyStoppingPatience: number;
  seed: number;
  /** Validation share when no explicit validation data is given (stratified, seeded split). */
  valFraction: number;
  /**
   * The model's input filter (recorded in metadata.json): applied to validation/evaluation/served crops, NOT to
   * the training images (see @moodlens/model's input-filter.ts). Absent in runs started before it existed.
   */
  inputFilter?: InputFilter;
  /** Start from these weights instead of random ones (fine-tuning, warm restart); absent = random init. */
  initFrom?: InitFrom;
  /** Learn from teachers' probabilities as well as the labels; absent = labels only. */
  distillation?: DistillationConfig;
}

export const DEFAULT_AUGMENTATION: AugmentationConfig = {
  flip: true,
  shift: 0.1,
  rotation: 10,
  zoom: 0.1,
  brightness: 0.1,
  contrast: 0.2,
};

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  network: { architecture: "deep" },
  epochs: 50,
  batchSize: 64,
  optimizer: "adam",
  learningRate: 1e-3,
  momentum: 0.9,
  schedule: { kind: "cosine", warmupEpochs: 1, minLearningRate: 1e-5 },
  labelSmoothing: 0.1,
  classWeighting: "sqrt",
  augmentation: DEFAULT_AUGMENTATION,
  earlyStoppingPatience: 12,
  seed: 42,
  valFraction: 0.1,
  inputFilter: { kind: "none" },
};

const fail = (message: string): never => {
  throw new AppError("CONFIG_INVALID", `training config: ${message}`);
};

/** Validates a complete config; throws CONFIG_INVALID naming the field. */
export function validateTrainConfig(config: TrainConfig): TrainConfig {
  const positiveInt = (value: number, name: string, max = 1e6) => {
    if (!Number.isInteger(value) || value < 1 || value > max) fail(`${name} must be an integer 1..${max}`);
  };
  positiveInt(config.epochs, "epochs", 10_000);
  positiveInt(config.batchSize, "batchSize", 4096);
  if (!(config.learningRate > 0 && config.learningRate < 10)) fail("learningRate must be in (0, 10)");
  if (!(config.momentum >= 0 && config.momentum < 1)) fail("momentum must be in [0, 1)");
  if (!(config.labelSmoothing >= 0 && config.labelSmoothing < 1)) fail("labelSmoothing must be in [0, 1)");
  if (!["adam", "sgd"].includes(config.optimizer)) fail('optimizer must be "adam" or "sgd"');
  if (!["none", "sqrt", "balanced"].includes(config.classWeighting))
    fail('classWeighting must be "none", "sqrt" or "balanced"');
  if (!Number.isInteger(config.earlyStoppingPatience) || config.earlyStoppingPatience < 0)
    fail("earlyStoppingPatience must be an integer >= 0");
  if (!Number.isInteger(config.seed)) fail("seed must be an integer");
  if (!(config.valFraction > 0 && config.valFraction < 1)) fail("valFraction must be in (0, 1)");
  if (config.inputFilter !== undefined) validateInputFilter(config.inputFilter);
  if (
    config.initFrom !== undefined &&
    !(
      typeof config.initFrom.source === "string" && /^[0-9a-f]{64}$/.test(config.initFrom.weightsSha256 ?? "")
    )
  ) {
    fail("initFrom needs a weights folder `source` and its `weightsSha256`");
  }
  const distillation = config.distillation;
  if (distillation !== undefined) {
    if (!(distillation.weight > 0 && distillation.weight <= 1)) fail("distillation.weight must be in (0, 1]");
    if (
      !Array.isArray(distillation.teachers) ||
      distillation.teachers.length === 0 ||
      !distillation.teachers.every(
        (teacher) => typeof teacher.source === "string" && /^[0-9a-f]{64}$/.test(teacher.weightsSha256 ?? ""),
      )
    )
      fail("distillation needs at least one teacher, each a model folder `source` and its `weightsSha256`");
  }
  const schedule = config.schedule;
  if (schedule.kind === "cosine" && !(schedule.warmupEpochs >= 0 && schedule.minLearningRate >= 0))
    fail("cosine schedule needs warmupEpochs >= 0 and minLearningRate >= 0");
  if (schedule.kind === "plateau" && !(schedule.factor > 0 && schedule.factor < 1 && schedule.patience >= 1))
    fail("plateau schedule needs 0 < factor < 1 and patience >= 1");
  if (!["constant", "cosine", "plateau"].includes(schedule.kind))
    fail("schedule must be constant, cosine or plateau");
  const augmentation = config.augmentation;
  if (augmentation) {
    for (const key of ["shift", "zoom", "brightness", "contrast"] as const) {
      if (!(augmentation[key] >= 0 && augmentation[key] < 1)) fail(`augmentation.${key} must be in [0, 1)`);
    }
    if (!(augmentation.rotation >= 0 && augmentation.rotation <= 180))
      fail("augmentation.rotation must be 0..180 degrees");
    const erasing = augmentation.erasing ?? 0;
    if (!(erasing >= 0 && erasing <= 1)) fail("augmentation.erasing must be a probability in [0, 1]");
  }
  return config;
}

/** Flat key/value view of a config, as stored in the run's params and diffed by `runs compare`. */
export function flattenParams(value: unknown, prefix = ""): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    out[prefix || "value"] = Array.isArray(value)
      ? JSON.stringify(value)
      : (value as string | number | boolean | null);
    return out;
  }
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (inner !== null && typeof inner === "object" && !Array.isArray(inner))
      Object.assign(out, flattenParams(inner, name));
    else
      out[name] = Array.isArray(inner) ? JSON.stringify(inner) : (inner as string | number | boolean | null);
  }
  return out;
}
