import sharp, { type Metadata, type SharpOptions } from "sharp";
import { AppError } from "@moodlens/shared";
import { ALPHA_BACKGROUND, DEFAULT_MAX_INPUT_PIXELS, SUPPORTED_FORMATS, type ImageFormat } from "./constants";

export interface DecodeLimits {
  /** Reject images with more pixels than this (checked from the header, before decoding). */
  maxInputPixels?: number;
}

/** A decoded image: 8-bit sRGB, 3 channels, row-major, EXIF orientation already applied. */
export interface DecodedImage {
  width: number;
  height: number;
  channels: 3;
  rgb: Uint8Array;
  format: ImageFormat;
}

/** What inspectImage reads from the header. */
export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

/** Bytes whose header a caller already checked with inspectImage (the API does, to refuse bad shapes early). */
export interface InspectedImage {
  bytes: Buffer | Uint8Array;
  header: ImageHeader;
}

/** The image file's bytes, or bytes with their inspected header so decoding does not read the header again. */
export type ImageInput = Buffer | Uint8Array | InspectedImage;

const isInspected = (input: ImageInput): input is InspectedImage => "header" in input && "bytes" in input;

const toBuffer = (input: Buffer | Uint8Array): Buffer =>
  Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);

/** Reads only the header: format, size and frame count. */
async function readHeader(buffer: Buffer): Promise<Metadata> {
  if (buffer.byteLength === 0) throw new AppError("UNSUPPORTED_IMAGE", "the image is empty (0 bytes)");
  try {
    // limitInputPixels: false here because the limit is enforced below with a clearer error and code.
    return await sharp(buffer, { limitInputPixels: false }).metadata();
  } catch (cause) {
    throw new AppError("UNSUPPORTED_IMAGE", "the data is not an image in a supported format", {
      cause,
      details: { supported: SUPPORTED_FORMATS },
      hint: `send one of: ${SUPPORTED_FORMATS.join(", ")}`,
    });
  }
}

/** Maps libvips' format names to ours; AVIF is reported by libvips as "heif" with AV1 compression. */
function formatOf(meta: Metadata): ImageFormat | undefined {
  if (meta.format === "heif") return meta.compression === "av1" ? "avif" : undefined;
  const format = meta.format as string | undefined;
  return SUPPORTED_FORMATS.find((supported) => supported === format);
}

/** Checks the header: supported format, non-zero size, pixel count within the limit. Cheap: nothing is decoded. */
export async function inspectImage(
  input: Buffer | Uint8Array,
  limits: DecodeLimits = {},
): Promise<ImageHeader> {
  const buffer = toBuffer(input);
  const meta = await readHeader(buffer);
  const format = formatOf(meta);
  if (!format) {
    throw new AppError("UNSUPPORTED_IMAGE", `unsupported image format "${meta.format ?? "unknown"}"`, {
      details: { format: meta.format, supported: SUPPORTED_FORMATS },
      hint: `send one of: ${SUPPORTED_FORMATS.join(", ")}`,
    });
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width <= 0 || height <= 0) throw new AppError("UNSUPPORTED_IMAGE", "the image has no pixels");
  const maxInputPixels = limits.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  if (width * height > maxInputPixels) {
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `the image is ${width}x${height} (${((width * height) / 1e6).toFixed(1)} MP); the limit is ${(maxInputPixels / 1e6).toFixed(1)} MP`,
      { details: { width, height, maxInputPixels }, hint: "downscale the image before sending it" },
    );
  }
  return { format, width, height };
}

/**
 * Options every decode in Moodlens shares: the pixel limit (enforced again by libvips as a second line of defence),
 * only the first frame of animations, and failure on truncated or corrupt data instead of half-grey images.
 */
export const sharpInputOptions = (maxInputPixels: number): SharpOptions => ({
  limitInputPixels: maxInputPixels,
  failOn: "truncated",
  pages: 1,
});

/** Wraps libvips errors raised while decoding the pixels (truncated or corrupt files). */
export function decodeError(cause: unknown): AppError {
  const reason = cause instanceof Error ? cause.message.split("\n")[0] : String(cause);
  if (/pixel limit/i.test(reason ?? "")) {
    return new AppError("PAYLOAD_TOO_LARGE", "the image has too many pixels", { cause });
  }
  return new AppError(
    "UNSUPPORTED_IMAGE",
    `the image could not be decoded (truncated or corrupt): ${reason}`,
    {
      cause,
    },
  );
}

/**
 * Decodes any supported image to 8-bit sRGB RGB: EXIF orientation applied, first frame of animations,
 * CMYK and 16-bit converted, alpha flattened on white. Throws AppError UNSUPPORTED_IMAGE / PAYLOAD_TOO_LARGE.
 * Given an InspectedImage, the header is not read a second time.
 */
export async function decodeImage(input: ImageInput, limits: DecodeLimits = {}): Promise<DecodedImage> {
  const buffer = toBuffer(isInspected(input) ? input.bytes : input);
  const maxInputPixels = limits.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  // An inspected header was checked by the caller; libvips still enforces the pixel limit below.
  const { format } = isInspected(input) ? input.header : await inspectImage(buffer, { maxInputPixels });
  try {
    const { data, info } = await sharp(buffer, sharpInputOptions(maxInputPixels))
      .rotate()
      .flatten({ background: ALPHA_BACKGROUND })
      .toColourspace("srgb")
      .removeAlpha()
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels after conversion, got ${info.channels}`);
    return {
      width: info.width,
      height: info.height,
      channels: 3,
      rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      format,
    };
  } catch (cause) {
    throw decodeError(cause);
  }
}
