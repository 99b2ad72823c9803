import sharp, { type Sharp } from "sharp";
import { AppError, type Box } from "@moodlens/shared";
import {
  ALPHA_BACKGROUND,
  DEFAULT_FACE_MARGIN,
  DEFAULT_MAX_INPUT_PIXELS,
  INPUT_SIZE,
  RESIZE_KERNEL,
} from "./constants";
import { decodeError, sharpInputOptions, type DecodeLimits, type DecodedImage } from "./decode";

export interface CropOptions {
  /** Extra context on every side, as a fraction of the box's longer side (0.15 = 15 % more each side). */
  margin?: number;
  /** Output side in pixels. */
  size?: number;
}

/** A square region in image pixels; may extend past the borders (those pixels are padded). */
export interface SquareRegion {
  left: number;
  top: number;
  side: number;
}

/**
 * THE final step of every crop, shared by `cropFace` (photos) and `preprocessCrop` (datasets of crops):
 * same grayscale conversion, same kernel, same square fit. Keeping it in one function is what stops
 * training and serving from drifting apart.
 */
async function grayscaleSquare(pipeline: Sharp, size: number): Promise<Uint8Array> {
  const data = await pipeline
    .grayscale()
    .resize(size, size, { fit: "cover", position: "centre", kernel: RESIZE_KERNEL, fastShrinkOnLoad: false })
    .raw({ depth: "uchar" })
    .toBuffer();
  if (data.byteLength !== size * size) throw new Error(`expected ${size * size} gray pixels, got ${data.byteLength}`);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** The detector box grown by the margin and made square around its centre. */
export function squareRegion(box: Box, margin: number = DEFAULT_FACE_MARGIN): SquareRegion {
  const side = Math.max(1, Math.round(Math.max(box.width, box.height) * (1 + 2 * margin)));
  const centreX = box.x + box.width / 2;
  const centreY = box.y + box.height / 2;
  return { left: Math.round(centreX - side / 2), top: Math.round(centreY - side / 2), side };
}

/** Copies a square region out of an RGB image, replicating edge pixels where the region leaves the image. */
function extractPadded(image: DecodedImage, region: SquareRegion): Uint8Array {
  const { width, height, rgb } = image;
  const { left, top, side } = region;
  const out = new Uint8Array(side * side * 3);
  const insideStart = Math.min(Math.max(left, 0), width - 1);
  const insideEnd = Math.max(Math.min(left + side, width), insideStart + 1); // exclusive, at least one column
  const padLeft = Math.min(Math.max(0, insideStart - left), side);
  const copyWidth = Math.min(insideEnd - insideStart, side - padLeft);
  for (let row = 0; row < side; row++) {
    const sourceRow = Math.min(Math.max(top + row, 0), height - 1);
    const sourceOffset = (sourceRow * width + insideStart) * 3;
    const targetOffset = row * side * 3;
    out.set(rgb.subarray(sourceOffset, sourceOffset + copyWidth * 3), targetOffset + padLeft * 3);
    const first = rgb.subarray(sourceOffset, sourceOffset + 3);
    for (let column = 0; column < padLeft; column++) out.set(first, targetOffset + column * 3);
    const lastOffset = sourceOffset + (copyWidth - 1) * 3;
    const last = rgb.subarray(lastOffset, lastOffset + 3);
    for (let column = padLeft + copyWidth; column < side; column++) out.set(last, targetOffset + column * 3);
  }
  return out;
}

/**
 * Cuts one face out of a decoded image: box grown by `margin`, squared, padded at the borders,
 * grayscale, resized to `size` x `size` (48). Returns size*size uint8 pixels, row-major.
 */
export async function cropFace(image: DecodedImage, box: Box, options: CropOptions = {}): Promise<Uint8Array> {
  const size = options.size ?? INPUT_SIZE;
  const margin = options.margin ?? DEFAULT_FACE_MARGIN;
  if (!(margin >= 0) || !Number.isFinite(margin)) throw new AppError("BAD_USER_INPUT", `margin must be >= 0, got ${margin}`);
  if (![box.x, box.y, box.width, box.height].every(Number.isFinite) || box.width <= 0 || box.height <= 0) {
    throw new AppError("BAD_USER_INPUT", `invalid face box ${JSON.stringify(box)}`);
  }
  const region = squareRegion(box, margin);
  const pixels = extractPadded(image, region);
  return grayscaleSquare(sharp(pixels, { raw: { width: region.side, height: region.side, channels: 3 } }), size);
}

/**
 * For datasets that already are face crops (FER-2013's 48x48 JPEGs): decode, grayscale, centre-square,
 * resize to 48x48 with the same conversion and kernel as `cropFace`. One libvips pipeline, straight to raw gray.
 * `input` is the encoded image or a file path.
 */
export async function preprocessCrop(
  input: Buffer | Uint8Array | string,
  options: { size?: number } & DecodeLimits = {},
): Promise<Uint8Array> {
  const size = options.size ?? INPUT_SIZE;
  const maxInputPixels = options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  if (typeof input !== "string" && input.byteLength === 0) {
    throw new AppError("UNSUPPORTED_IMAGE", "the image is empty (0 bytes)");
  }
  try {
    const pipeline = sharp(input, sharpInputOptions(maxInputPixels)).rotate().flatten({ background: ALPHA_BACKGROUND });
    return await grayscaleSquare(pipeline, size);
  } catch (cause) {
    const error = decodeError(cause);
    if (typeof input === "string") {
      throw new AppError(error.code, `${input}: ${error.message}`, { cause });
    }
    throw error;
  }
}
