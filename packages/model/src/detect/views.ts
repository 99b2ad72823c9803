/**
 * What the network sees: level rasters (the image resized once per tile level), flexible views cut from them straight
 * into the network's normalised float input, and the classic fixed 256x256 letterboxed views.
 */
import sharp from "sharp";
import type { DecodedImage } from "../preprocess";
import { BLAZEFACE_INPUT_SIZE } from "./blazeface-model";
import type { DetectionPass } from "./passes";

/** The whole image resized by one level's scale (flexible views are cut from it: one resize per level). */
export interface LevelRaster {
  rgb: Uint8Array;
  width: number;
  height: number;
}

/**
 * The image resized by `scale`, from `source` when given: a finer level's raster of the same image (coarser levels
 * are resized from the finest one, a fraction of the pixels of the original).
 */
export async function renderLevel(
  image: DecodedImage,
  scale: number,
  source?: LevelRaster,
): Promise<LevelRaster> {
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const from = source ?? image;
  const data = await sharp(from.rgb, { raw: { width: from.width, height: from.height, channels: 3 } })
    .resize(width, height, { fit: "fill", kernel: "linear" })
    .raw()
    .toBuffer();
  return { rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height };
}

/**
 * BlazeFace's input value of each 8-bit pixel value, v / 127.5 - 1 (computed in double precision and stored as
 * float32: bit-identical to converting pixel by pixel).
 */
const INPUT_VALUE = Float32Array.from({ length: 256 }, (_, value) => value / 127.5 - 1);
/** The input value of black, for the padding right and below the image. */
const PADDING = INPUT_VALUE[0]!;

/** A whole RGB view (e.g. a fixed 256x256 one) as the network's float input. */
export function toNetworkInput(pixels: Uint8Array): Float32Array {
  const input = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) input[i] = INPUT_VALUE[pixels[i]!]!;
  return input;
}

/**
 * A flexible view as the network's float input (NHWC): its span of the level raster at the top left of an
 * inputWidth x inputHeight canvas, the rest black. Written in one pass from the raster, without an 8-bit copy of the
 * view first.
 */
export function viewInput(raster: LevelRaster, pass: DetectionPass): Float32Array {
  if (pass.border) return toNetworkInput(borderViewPixels(raster, pass));
  const { inputWidth: width, inputHeight: height } = pass;
  const input = new Float32Array(width * height * 3);
  const left = Math.round(pass.left * pass.scale);
  const top = Math.round(pass.top * pass.scale);
  const values = Math.max(0, Math.min(width, raster.width - left)) * 3;
  const rows = Math.max(0, Math.min(height, raster.height - top));
  const { rgb } = raster;
  for (let y = 0; y < rows; y++) {
    const from = ((top + y) * raster.width + left) * 3;
    const to = y * width * 3;
    for (let i = 0; i < values; i++) input[to + i] = INPUT_VALUE[rgb[from + i]!]!;
    input.fill(PADDING, to + values, to + width * 3);
  }
  input.fill(PADDING, rows * width * 3);
  return input;
}

/**
 * The border view (`DetectionPass.border`) as 8-bit RGB, inputWidth x inputHeight: input pixel (x, y) is raster
 * pixel (x + left, y + top) with the region's origin in raster pixels, clamped into the raster, so everything
 * outside the image repeats its nearest edge pixel (the margin, and the rest up to the input size).
 */
export function borderViewPixels(raster: LevelRaster, pass: DetectionPass): Uint8Array {
  const { inputWidth: width, inputHeight: height } = pass;
  const left = Math.round(pass.left * pass.scale);
  const top = Math.round(pass.top * pass.scale);
  const pixels = new Uint8Array(width * height * 3);
  const { rgb } = raster;
  const columns = Int32Array.from({ length: width }, (_, x) =>
    Math.min(raster.width - 1, Math.max(0, x + left)),
  );
  for (let y = 0; y < height; y++) {
    const row = Math.min(raster.height - 1, Math.max(0, y + top)) * raster.width;
    for (let x = 0; x < width; x++) {
      const from = (row + columns[x]!) * 3;
      const to = (y * width + x) * 3;
      pixels[to] = rgb[from]!;
      pixels[to + 1] = rgb[from + 1]!;
      pixels[to + 2] = rgb[from + 2]!;
    }
  }
  return pixels;
}

/**
 * One view of the image as the network's 256x256 RGB input: region resized, right/bottom padded black (the border
 * view: the image resized, its edges replicated all round).
 */
export async function renderFixedView(image: DecodedImage, pass: DetectionPass): Promise<Uint8Array> {
  if (pass.border) return borderViewPixels(await renderLevel(image, pass.scale), pass);
  const size = BLAZEFACE_INPUT_SIZE;
  const data = await sharp(image.rgb, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extract({ left: pass.left, top: pass.top, width: pass.width, height: pass.height })
    .resize(size, size, {
      fit: "contain",
      position: "northwest",
      background: { r: 0, g: 0, b: 0 },
      kernel: "linear",
    })
    .raw()
    .toBuffer();
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
