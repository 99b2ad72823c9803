import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** What the compiled addon (src/*.cc) exports. */
export interface NativeNetworkConfig {
  inputSize: number;
  inputPool: number;
  blockWidths: number[];
  convsPerBlock: number;
  gapHead: boolean;
  denseUnits: number;
  blockDropout: number;
  denseDropout: number;
  l2: number;
  classes: number;
  /** bf16 compute (AMX where the processor has it); master weights and optimizer state stay fp32. */
  bf16: boolean;
  /** Data-parallel parts of each batch, one thread each. */
  replicas: number;
  /** OpenMP threads inside each replica (1 keeps a busy core from stalling the other). */
  threadsPerReplica: number;
  adam: boolean;
  momentum: number;
}

export interface NativeParamInfo {
  name: string;
  shape: number[];
  trainable: boolean;
}

export type NativeBuffer = "value" | "grad" | "m" | "v";

export interface NativeNetwork {
  paramInfo(): NativeParamInfo[];
  read(kind: NativeBuffer, index: number): Float32Array;
  write(kind: NativeBuffer, index: number, values: Float32Array): void;
  getScalars(): { accBeta1: number; accBeta2: number; iterations: number };
  setScalars(scalars: { accBeta1: number; accBeta2: number; iterations: number }): void;
  /** Gradients of one batch into "grad" (L2 included) and the moving BN statistics updated; loss as tfjs' batchLoss. */
  forwardBackward(
    pixels: Uint8Array,
    labels: Int32Array,
    classWeights: Float32Array,
    smoothing: number,
    normalizer: number,
    seed: number,
    epoch: number,
    batch: number,
    /** n * classes soft targets (distillation) instead of the label-smoothed one-hot labels. */
    targets?: Float32Array,
  ): { loss: number; correct: number };
  update(learningRate: number): void;
  /** Inference probabilities [n * classes] of n 48x48 crops. */
  predict(pixels: Uint8Array): Float32Array;
  dispose(): void;
}

export interface NativeAddon {
  Network: new (config: NativeNetworkConfig) => NativeNetwork;
  isa(): string;
  version(): string;
  /** fp32 FMA GFLOP per CPU-second of one core (threads run at once, `seconds` of CPU time each): the core's peak. */
  fmaPeak(threads: number, seconds: number): { gflops: number; isa: string };
}

export type AddonLoad = { addon: NativeAddon; problem?: undefined } | { addon?: undefined; problem: string };

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
let cached: AddonLoad | undefined;

/**
 * Loads build/Release/moodlens_native.node once. `disabled` (the apps' MOODLENS_NATIVE=off) reports the engine
 * absent without touching it, so the tfjs fallback can be exercised on a machine that has it.
 */
export function loadNativeAddon(options: { disabled?: boolean } = {}): AddonLoad {
  if (options.disabled) return { problem: "disabled (MOODLENS_NATIVE=off)" };
  if (cached) return cached;
  const path = join(packageRoot, "build", "Release", "moodlens_native.node");
  if (!existsSync(path)) {
    const marker = join(packageRoot, "build", "UNAVAILABLE");
    const reason = existsSync(marker)
      ? readFileSync(marker, "utf8").trim()
      : "the addon was not built (npm install runs packages/native/scripts/build.mjs)";
    cached = { problem: reason };
    return cached;
  }
  try {
    cached = { addon: createRequire(import.meta.url)(path) as NativeAddon };
  } catch (error) {
    cached = {
      problem: `cannot load the addon: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
    };
  }
  return cached;
}
