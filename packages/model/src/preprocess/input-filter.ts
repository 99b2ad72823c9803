import { AppError } from "@moodlens/shared";
import { INPUT_SIZE } from "./constants";

/**
 * What a model does to a 48x48 gray crop before its network sees it, recorded in metadata.json so every consumer
 * (trainer validation and `evaluate`, the analyzer behind the API, the benchmark) applies the same step.
 *
 * Why it exists: a model learns the sharpness of its training images. The FER-2013 training copy we have is
 * strongly low-passed while photos and the validation split are sharp (docs/dataset-findings.md), so the shipped
 * model declares a Gaussian low-pass that brings sharp inputs to the training images' sharpness. The training
 * images themselves are NOT filtered: they already are in that domain.
 */
export type InputFilter = { kind: "none" } | { kind: "gaussian"; sigma: number };

export const NO_INPUT_FILTER: InputFilter = { kind: "none" };

/** Largest sigma accepted: beyond ~8 px a 48 px face is a uniform blob. */
const MAX_SIGMA = 8;

/** Validates a filter read from metadata or the CLI; throws `code` (CONFIG_INVALID or MODEL_INVALID). */
export function validateInputFilter(
  value: unknown,
  code: "CONFIG_INVALID" | "MODEL_INVALID" = "CONFIG_INVALID",
): InputFilter {
  const filter = value as Partial<{ kind: string; sigma: number }> | null;
  if (filter && filter.kind === "none") return NO_INPUT_FILTER;
  if (
    filter &&
    filter.kind === "gaussian" &&
    typeof filter.sigma === "number" &&
    filter.sigma > 0 &&
    filter.sigma <= MAX_SIGMA
  ) {
    return { kind: "gaussian", sigma: filter.sigma };
  }
  throw new AppError(
    code,
    `input filter ${JSON.stringify(value)} is not {"kind":"none"} or {"kind":"gaussian","sigma":0<s<=${MAX_SIGMA}}`,
  );
}

/** Parses the CLI form: "none" or "gaussian:SIGMA". */
export function parseInputFilter(text: string): InputFilter {
  if (text === "none") return NO_INPUT_FILTER;
  const match = /^gaussian:([0-9]*\.?[0-9]+)$/.exec(text);
  if (!match)
    throw new AppError("CONFIG_INVALID", `--input-filter must be "none" or "gaussian:SIGMA" (got "${text}")`);
  return validateInputFilter({ kind: "gaussian", sigma: Number(match[1]) });
}

export function describeInputFilter(filter: InputFilter): string {
  return filter.kind === "none" ? "none" : `gaussian:${filter.sigma}`;
}

const kernelCache = new Map<number, Float64Array>();

/** Normalised 1-D Gaussian taps, radius ceil(3 sigma). */
function gaussianKernel(sigma: number): Float64Array {
  let kernel = kernelCache.get(sigma);
  if (!kernel) {
    const radius = Math.max(1, Math.ceil(3 * sigma));
    kernel = new Float64Array(2 * radius + 1);
    let sum = 0;
    for (let i = -radius; i <= radius; i++)
      sum += kernel[i + radius] = Math.exp((-i * i) / (2 * sigma * sigma));
    for (let i = 0; i < kernel.length; i++) kernel[i]! /= sum;
    kernelCache.set(sigma, kernel);
  }
  return kernel;
}

/**
 * Applies a filter to one square gray crop (row-major uint8) and returns a new crop of the same size, rounded to
 * uint8 so that training, evaluation and serving hand the network the same bytes. Separable Gaussian with edge
 * replication, in plain JS: ~100k multiply-adds per 48x48 crop, negligible next to the network.
 */
export function applyInputFilter(
  crop: Uint8Array,
  filter: InputFilter,
  size: number = INPUT_SIZE,
): Uint8Array {
  if (crop.length !== size * size)
    throw new AppError("INTERNAL", `expected a ${size}x${size} crop, got ${crop.length} pixels`);
  if (filter.kind === "none") return crop;
  const kernel = gaussianKernel(filter.sigma);
  const radius = (kernel.length - 1) / 2;
  const clamp = (i: number) => (i < 0 ? 0 : i >= size ? size - 1 : i);
  const rows = new Float64Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let sum = 0;
      for (let k = -radius; k <= radius; k++) sum += kernel[k + radius]! * crop[y * size + clamp(x + k)]!;
      rows[y * size + x] = sum;
    }
  }
  const out = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let sum = 0;
      for (let k = -radius; k <= radius; k++) sum += kernel[k + radius]! * rows[clamp(y + k) * size + x]!;
      out[y * size + x] = Math.min(255, Math.max(0, Math.round(sum)));
    }
  }
  return out;
}
