import sharp from "sharp";
import type { SaliencyMap } from "./saliency";

export interface SaliencyPngOptions {
  /** "gray": the map as is; "heat": black-red-yellow-white, easier to read over a face. */
  colormap?: "gray" | "heat";
  /** Output side in pixels (nearest-neighbour would look blocky, so the map is smoothly upscaled). */
  size?: number;
}

/** Black -> red -> yellow -> white. */
function heat(value: number): [number, number, number] {
  const t = value / 255;
  return [Math.min(1, t * 3), Math.min(1, Math.max(0, t * 3 - 1)), Math.min(1, Math.max(0, t * 3 - 2))].map(
    (c) => Math.round(c * 255),
  ) as [number, number, number];
}

export async function saliencyToPng(
  saliency: SaliencyMap,
  options: SaliencyPngOptions = {},
): Promise<Buffer> {
  const { size: side, values } = saliency;
  const colour = options.colormap === "heat";
  const pixels = colour ? Buffer.alloc(values.length * 3) : Buffer.from(values);
  if (colour) values.forEach((value, index) => pixels.set(heat(value), index * 3));
  let image = sharp(pixels, { raw: { width: side, height: side, channels: colour ? 3 : 1 } });
  if (options.size && options.size !== side)
    image = image.resize(options.size, options.size, { kernel: "cubic" });
  return image.png().toBuffer();
}

/** `data:image/png;base64,...`, ready for an <img src> or a JSON field. */
export async function saliencyToDataUrl(
  saliency: SaliencyMap,
  options: SaliencyPngOptions = {},
): Promise<string> {
  return `data:image/png;base64,${(await saliencyToPng(saliency, options)).toString("base64")}`;
}
