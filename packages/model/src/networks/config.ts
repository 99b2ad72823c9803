import { AppError, EMOTIONS } from "@moodlens/shared";

/** Every network takes one grayscale 48x48 face and returns a softmax over the seven EMOTIONS. */
export const INPUT_SIZE = 48;
export const NUM_CLASSES = EMOTIONS.length;

export const ARCHITECTURES = ["compact", "deep"] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

/** mini-Xception (Arriaga et al. 2017): a small stem, then depthwise-separable residual blocks. */
export interface CompactNetworkConfig {
  architecture: "compact";
  /** Filters of the two plain 3x3 stem convolutions. */
  stemFilters: number;
  /** Filters of each residual block; each block halves the resolution. */
  blockFilters: number[];
  kernelSize: number;
  /** L2 weight decay on every kernel. */
  l2: number;
  /** Dropout before the classifier conv (0 = none, as in the original). */
  dropout: number;
}

/** VGG-style: blocks of (conv 3x3 + BN + ReLU) x convsPerBlock, max-pool, dropout; then a dense head. */
export interface DeepNetworkConfig {
  architecture: "deep";
  /**
   * Average-pool the 48x48 input by this factor before the first block (1 = off). Cuts compute by its square;
   * worth it when the inputs carry no detail at full resolution (the blurred FER-2013 training copy, whose
   * content is below ~1/8 cycle per pixel, loses nothing at 24x24: see docs/dataset-findings.md).
   */
  inputPool: 1 | 2 | 4;
  blockWidths: number[];
  convsPerBlock: number;
  /** "flatten": flatten + dense (more parameters, usually more accurate at 48x48); "gap": global average pooling. */
  head: "flatten" | "gap";
  /** Units of the hidden dense layer (0 = straight to the classifier). */
  denseUnits: number;
  /** Dropout after each conv block. */
  blockDropout: number;
  /** Dropout before the classifier. */
  denseDropout: number;
  l2: number;
}

export type NetworkConfig = CompactNetworkConfig | DeepNetworkConfig;
/** What callers pass: the architecture plus any hyperparameters they want to override. */
export type NetworkConfigInput =
  | ({ architecture: "compact" } & Partial<Omit<CompactNetworkConfig, "architecture">>)
  | ({ architecture: "deep" } & Partial<Omit<DeepNetworkConfig, "architecture">>);

export const NETWORK_DEFAULTS: { compact: CompactNetworkConfig; deep: DeepNetworkConfig } = {
  compact: {
    architecture: "compact",
    stemFilters: 8,
    blockFilters: [16, 32, 64, 128],
    kernelSize: 3,
    l2: 0.01,
    dropout: 0,
  },
  deep: {
    architecture: "deep",
    inputPool: 1,
    blockWidths: [32, 64, 128, 256],
    convsPerBlock: 2,
    head: "flatten",
    denseUnits: 256,
    blockDropout: 0.25,
    denseDropout: 0.5,
    l2: 1e-4,
  },
};

function invalid(message: string): never {
  throw new AppError("CONFIG_INVALID", `network config: ${message}`);
}

const isInt = (value: unknown, min: number, max: number): boolean =>
  typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
const isRate = (value: unknown): boolean => typeof value === "number" && value >= 0 && value < 1;
const isDecay = (value: unknown): boolean => typeof value === "number" && value >= 0 && value <= 1;

function checkWidths(name: string, widths: unknown, maxBlocks: number): void {
  if (!Array.isArray(widths) || widths.length < 1 || widths.length > maxBlocks) {
    invalid(`${name} must list 1..${maxBlocks} widths`);
  }
  for (const width of widths) if (!isInt(width, 1, 1024)) invalid(`${name} entries must be integers 1..1024`);
}

/** Fills defaults and validates; throws AppError CONFIG_INVALID naming the bad field. */
export function resolveNetworkConfig(input: NetworkConfigInput): NetworkConfig {
  const known = input as { architecture?: unknown };
  if (known.architecture === "compact") {
    const config: CompactNetworkConfig = {
      ...NETWORK_DEFAULTS.compact,
      ...stripUndefined(input),
    } as CompactNetworkConfig;
    if (!isInt(config.stemFilters, 1, 256)) invalid("stemFilters must be an integer 1..256");
    // Each block halves 44 (48 after two valid 3x3 convs) pixels: more than 5 blocks leaves nothing.
    checkWidths("blockFilters", config.blockFilters, 5);
    if (!isInt(config.kernelSize, 1, 7) || config.kernelSize % 2 === 0)
      invalid("kernelSize must be odd, 1..7");
    if (!isDecay(config.l2)) invalid("l2 must be in [0, 1]");
    if (!isRate(config.dropout)) invalid("dropout must be in [0, 1)");
    return config;
  }
  if (known.architecture === "deep") {
    const config: DeepNetworkConfig = {
      ...NETWORK_DEFAULTS.deep,
      ...stripUndefined(input),
    } as DeepNetworkConfig;
    if (![1, 2, 4].includes(config.inputPool)) invalid("inputPool must be 1, 2 or 4");
    // Every block halves the side: 48 / inputPool must stay >= 1 after the last block.
    const maxBlocks = Math.floor(Math.log2(INPUT_SIZE / config.inputPool));
    checkWidths("blockWidths", config.blockWidths, Math.min(5, maxBlocks));
    if (!isInt(config.convsPerBlock, 1, 4)) invalid("convsPerBlock must be an integer 1..4");
    if (config.head !== "flatten" && config.head !== "gap") invalid('head must be "flatten" or "gap"');
    if (!isInt(config.denseUnits, 0, 4096)) invalid("denseUnits must be an integer 0..4096");
    if (!isRate(config.blockDropout)) invalid("blockDropout must be in [0, 1)");
    if (!isRate(config.denseDropout)) invalid("denseDropout must be in [0, 1)");
    if (!isDecay(config.l2)) invalid("l2 must be in [0, 1]");
    return config;
  }
  return invalid(
    `architecture must be one of ${ARCHITECTURES.join(", ")} (got ${JSON.stringify(known.architecture)})`,
  );
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
