import { AppError, EMOTIONS } from "@moodlens/shared";
import {
  INPUT_SIZE,
  resolveNetworkConfig,
  type DeepNetworkConfig,
  type NetworkConfigInput,
  type tf,
} from "@moodlens/model";
import type { NativeAddon, NativeNetwork } from "./addon";
import { checkSameLayout, loadIntoNative, storeFromNative } from "./exchange";

export type Precision = "fp32" | "bf16";

export interface NativeEngineOptions {
  precision: Precision;
  /** Data-parallel parts of each batch, one engine thread each (default: 2). */
  replicas: number;
  /** OpenMP threads per part (default 1: a busy core then slows one part, not a whole team). */
  threadsPerReplica: number;
  optimizer: "adam" | "sgd";
  momentum: number;
}

export interface NativeBatch {
  /** size crops of 48x48 uint8, already augmented. */
  pixels: Uint8Array;
  labels: Int32Array;
  /**
   * size * 7 soft targets (distillation: teacher probabilities mixed with the smoothed labels), replacing the
   * label-smoothed one-hot targets; labels still pick each sample's class weight and count the correct ones.
   */
  targets?: Float32Array;
  classWeights: Float32Array;
  smoothing: number;
  /** Divides the summed loss: the full batch size. */
  normalizer: number;
  /** Seed the dropout masks from (seed, epoch, batch): a resumed run draws the same masks. */
  seed: number;
  epoch: number;
  batch: number;
  learningRate: number;
}

/**
 * oneDNN computes bf16 convolutions on AVX-512 processors (natively with AVX512-BF16 or AMX) and on AVX2-VNNI-2; on
 * plain AVX2 (e.g. many AMD EPYC machines) it has no bf16 kernels and fails deep inside with "could not create a
 * primitive descriptor iterator". Checked up front so the user reads what to do instead.
 */
export function bf16Problem(isa: string): string | undefined {
  return /avx512|amx|avx2_vnni_2/.test(isa)
    ? undefined
    : `bf16 needs a processor with AVX-512 (best with AVX512-BF16 or AMX); oneDNN runs ${isa} here`;
}

/** The deep network config the native engine supports, or why it does not. */
export function nativeSupport(
  network: NetworkConfigInput,
): { config: DeepNetworkConfig } | { problem: string } {
  const config = resolveNetworkConfig(network);
  if (config.architecture !== "deep")
    return { problem: `it trains the deep (VGG-style) family only, not ${config.architecture}` };
  return { config };
}

/**
 * One training's native engine: a compiled network holding its own copy of weights and optimizer state, synced
 * with the tfjs model and optimizer at epoch boundaries (loadFrom before, storeInto after).
 */
export class NativeTrainingEngine {
  private readonly network: NativeNetwork;

  constructor(
    private readonly addon: NativeAddon,
    config: DeepNetworkConfig,
    readonly options: NativeEngineOptions,
  ) {
    if (options.precision !== "fp32" && options.precision !== "bf16")
      throw new AppError("CONFIG_INVALID", `precision must be fp32 or bf16`);
    const problem = options.precision === "bf16" ? bf16Problem(addon.isa()) : undefined;
    if (problem)
      throw new AppError("CONFIG_INVALID", problem, { hint: "train with --precision fp32 on this machine" });
    this.network = new addon.Network({
      inputSize: INPUT_SIZE,
      inputPool: config.inputPool,
      blockWidths: config.blockWidths,
      convsPerBlock: config.convsPerBlock,
      gapHead: config.head === "gap",
      denseUnits: config.denseUnits,
      blockDropout: config.blockDropout,
      denseDropout: config.denseDropout,
      l2: config.l2,
      classes: EMOTIONS.length,
      bf16: options.precision === "bf16",
      replicas: options.replicas,
      threadsPerReplica: options.threadsPerReplica,
      adam: options.optimizer === "adam",
      momentum: options.momentum,
    });
  }

  /** e.g. "native oneDNN 2.6.3 (avx512_core_amx), fp32, 2 threads x 1". */
  describe(): string {
    const { precision, replicas, threadsPerReplica } = this.options;
    return `native oneDNN ${this.addon.version()} (${this.addon.isa()}), ${precision}, ${replicas} thread${replicas === 1 ? "" : "s"} x ${threadsPerReplica}`;
  }

  loadFrom(model: tf.LayersModel, optimizer: tf.Optimizer): void {
    checkSameLayout(model, this.network.paramInfo());
    loadIntoNative(this.network, model, optimizer);
  }

  storeInto(model: tf.LayersModel, optimizer: tf.Optimizer): Promise<void> {
    return storeFromNative(this.network, model, optimizer);
  }

  /** Gradients of the batch (the engine's own copy of the weights), then one optimizer step. */
  step(batch: NativeBatch): { loss: number; correct: number } {
    const result = this.gradients(batch);
    this.network.update(batch.learningRate);
    return result;
  }

  /** Gradients only (tests compare them with tfjs'); loss = weighted smoothed cross-entropy / normalizer + L2. */
  gradients(batch: NativeBatch): { loss: number; correct: number } {
    return this.network.forwardBackward(
      batch.pixels,
      batch.labels,
      batch.classWeights,
      batch.smoothing,
      batch.normalizer,
      batch.seed,
      batch.epoch,
      batch.batch,
      batch.targets,
    );
  }

  /** Gradient of parameter i (model.weights order) after gradients(). */
  gradient(index: number): Float32Array {
    return this.network.read("grad", index);
  }

  /** The engine's own weight i (model.weights order). */
  weight(index: number): Float32Array {
    return this.network.read("value", index);
  }

  /** Inference probabilities [n * 7] of 48x48 crops (moving statistics, no dropout). */
  predict(crops: readonly Uint8Array[]): Float32Array {
    const area = INPUT_SIZE * INPUT_SIZE;
    const pixels = new Uint8Array(crops.length * area);
    crops.forEach((crop, i) => pixels.set(crop, i * area));
    return this.network.predict(pixels);
  }

  dispose(): void {
    this.network.dispose();
  }
}
