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
import { faceFrame, type FaceFrame, type FaceToCrop } from "./face-frame";

export interface CropOptions {
  /** Extra context on every side of the FER-2013 frame, as a fraction of its side (0 = exactly the FER framing). */
  margin?: number;
  /** Output side in pixels. */
  size?: number;
}

/**
 * THE final step of every crop, shared by `cropFrame` (photos) and `preprocessCrop` (datasets of crops):
 * same grayscale conversion, same kernel, same square fit. Keeping it in one function is what stops
 * training and serving from drifting apart.
 */
async function grayscaleSquare(pipeline: Sharp, size: number): Promise<Uint8Array> {
  const data = await pipeline
    .grayscale()
    .resize(size, size, { fit: "cover", position: "centre", kernel: RESIZE_KERNEL, fastShrinkOnLoad: false })
    .raw({ depth: "uchar" })
    .toBuffer();
  if (data.byteLength !== size * size)
    throw new Error(`expected ${size * size} gray pixels, got ${data.byteLength}`);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Samples the frame's square out of an RGB image at about one sample per image pixel, turned by -angle so the
 * face comes out upright, bilinear, replicating edge pixels where the square leaves the image. An unrotated frame
 * on whole pixels is an exact copy (no interpolation), so it matches preprocessCrop on the same pixels.
 */
function sampleFrame(image: DecodedImage, frame: FaceFrame): { pixels: Uint8Array; side: number } {
  const { width, height, rgb } = image;
  const side = Math.max(1, Math.round(frame.side));
  const step = frame.side / side;
  const [cos, sin] = [Math.cos(frame.angle), Math.sin(frame.angle)];
  const pixels = new Uint8Array(side * side * 3);
  const clampX = (x: number) => (x < 0 ? 0 : x > width - 1 ? width - 1 : x);
  const clampY = (y: number) => (y < 0 ? 0 : y > height - 1 ? height - 1 : y);
  for (let row = 0; row < side; row++) {
    const v = (row + 0.5) * step - frame.side / 2;
    for (let column = 0; column < side; column++) {
      const u = (column + 0.5) * step - frame.side / 2;
      // Image position of this sample, in pixel-index coordinates (pixel k's centre is at k + 0.5).
      const x = clampX(frame.centreX + u * cos - v * sin - 0.5);
      const y = clampY(frame.centreY + u * sin + v * cos - 0.5);
      const [x0, y0] = [Math.floor(x), Math.floor(y)];
      const [x1, y1] = [Math.min(x0 + 1, width - 1), Math.min(y0 + 1, height - 1)];
      const [fx, fy] = [x - x0, y - y0];
      const [a, b, c, d] = [
        (y0 * width + x0) * 3,
        (y0 * width + x1) * 3,
        (y1 * width + x0) * 3,
        (y1 * width + x1) * 3,
      ];
      const target = (row * side + column) * 3;
      for (let channel = 0; channel < 3; channel++) {
        const top = rgb[a + channel]! + (rgb[b + channel]! - rgb[a + channel]!) * fx;
        const bottom = rgb[c + channel]! + (rgb[d + channel]! - rgb[c + channel]!) * fx;
        pixels[target + channel] = Math.round(top + (bottom - top) * fy);
      }
    }
  }
  return { pixels, side };
}

/** The square `frame` of the image, upright, grayscale, `size` x `size` (48): size*size uint8 pixels, row-major. */
export async function cropFrame(
  image: DecodedImage,
  frame: FaceFrame,
  size: number = INPUT_SIZE,
): Promise<Uint8Array> {
  if (![frame.centreX, frame.centreY, frame.side, frame.angle].every(Number.isFinite) || frame.side <= 0) {
    throw new AppError("BAD_USER_INPUT", `invalid face frame ${JSON.stringify(frame)}`);
  }
  const { pixels, side } = sampleFrame(image, frame);
  return grayscaleSquare(sharp(pixels, { raw: { width: side, height: side, channels: 3 } }), size);
}

/**
 * Cuts one face out of a decoded image the way FER-2013 framed its faces (`faceFrame`: eye line level, scale and
 * position from the keypoints; from the box alone when there are none), grown by `margin`, padded at the borders,
 * grayscale, resized to `size` x `size` (48). Returns size*size uint8 pixels, row-major.
 */
export async function cropFace(
  image: DecodedImage,
  face: Box | FaceToCrop,
  options: CropOptions = {},
): Promise<Uint8Array> {
  const size = options.size ?? INPUT_SIZE;
  const margin = options.margin ?? DEFAULT_FACE_MARGIN;
  if (!(margin >= 0) || !Number.isFinite(margin))
    throw new AppError("BAD_USER_INPUT", `margin must be >= 0, got ${margin}`);
  const detected: FaceToCrop = "box" in face ? face : { box: face };
  const { box } = detected;
  if (![box.x, box.y, box.width, box.height].every(Number.isFinite) || box.width <= 0 || box.height <= 0) {
    throw new AppError("BAD_USER_INPUT", `invalid face box ${JSON.stringify(box)}`);
  }
  const frame = faceFrame(detected);
  return cropFrame(image, { ...frame, side: frame.side * (1 + 2 * margin) }, size);
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
    const pipeline = sharp(input, sharpInputOptions(maxInputPixels))
      .rotate()
      .flatten({ background: ALPHA_BACKGROUND });
    return await grayscaleSquare(pipeline, size);
  } catch (cause) {
    const error = decodeError(cause);
    if (typeof input === "string") {
      throw new AppError(error.code, `${input}: ${error.message}`, { cause });
    }
    throw error;
  }
}
