import { CROP_SIZE, PIXELS_PER_SAMPLE } from "../dataset/types";
import type { Rng } from "../util/rng";
import type { AugmentationConfig } from "./config";

/**
 * Augments one 48x48 uint8 crop into `out` with one random affine map (flip, shift, rotation, zoom) sampled
 * bilinearly with edge replication, then a brightness/contrast change. Works on uint8 in plain JS: ~2.3k pixels
 * per image is far cheaper than the network's forward pass, and it keeps tensors out of the data path.
 */
export function augmentCrop(source: Uint8Array, out: Uint8Array, config: AugmentationConfig, rng: Rng): void {
  const size = CROP_SIZE;
  const centre = (size - 1) / 2;
  const flip = config.flip && rng.next() < 0.5 ? -1 : 1;
  const angle = (rng.uniform(-config.rotation, config.rotation) * Math.PI) / 180;
  const scale = 1 + rng.uniform(-config.zoom, config.zoom);
  const shiftX = rng.uniform(-config.shift, config.shift) * size;
  const shiftY = rng.uniform(-config.shift, config.shift) * size;
  const contrast = 1 + rng.uniform(-config.contrast, config.contrast);
  const brightness = rng.uniform(-config.brightness, config.brightness) * 255;

  // Inverse map: output pixel -> source position (rotate and scale about the centre, then undo the shift).
  const cos = Math.cos(angle) / scale;
  const sin = Math.sin(angle) / scale;
  let mean = 0;
  for (let i = 0; i < PIXELS_PER_SAMPLE; i++) mean += source[i]!;
  mean /= PIXELS_PER_SAMPLE;

  for (let y = 0; y < size; y++) {
    const dy = y - centre - shiftY;
    for (let x = 0; x < size; x++) {
      const dx = (x - centre - shiftX) * flip;
      let sx = cos * dx + sin * dy + centre;
      let sy = -sin * dx + cos * dy + centre;
      sx = sx < 0 ? 0 : sx > size - 1 ? size - 1 : sx;
      sy = sy < 0 ? 0 : sy > size - 1 ? size - 1 : sy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = x0 < size - 1 ? x0 + 1 : x0;
      const y1 = y0 < size - 1 ? y0 + 1 : y0;
      const fx = sx - x0;
      const fy = sy - y0;
      const top = source[y0 * size + x0]! * (1 - fx) + source[y0 * size + x1]! * fx;
      const bottom = source[y1 * size + x0]! * (1 - fx) + source[y1 * size + x1]! * fx;
      const value = (top * (1 - fy) + bottom * fy - mean) * contrast + mean + brightness;
      out[y * size + x] = value < 0 ? 0 : value > 255 ? 255 : Math.round(value);
    }
  }
  // Drawn only when enabled, so configs without erasing consume the same random numbers as before it existed.
  if (config.erasing && rng.next() < config.erasing) eraseRectangle(out, rng);
}

const ERASE_AREA = [0.02, 0.4] as const;
const ERASE_LOG_ASPECT = [Math.log(0.3), Math.log(1 / 0.3)] as const;

/** Fills one random rectangle (area and aspect as in Zhong et al.) with uniform noise; retries until it fits. */
function eraseRectangle(out: Uint8Array, rng: Rng): void {
  const size = CROP_SIZE;
  for (let attempt = 0; attempt < 10; attempt++) {
    const area = rng.uniform(ERASE_AREA[0], ERASE_AREA[1]) * size * size;
    const aspect = Math.exp(rng.uniform(ERASE_LOG_ASPECT[0], ERASE_LOG_ASPECT[1]));
    const height = Math.round(Math.sqrt(area * aspect));
    const width = Math.round(Math.sqrt(area / aspect));
    if (height < 1 || width < 1 || height >= size || width >= size) continue;
    const top = Math.floor(rng.next() * (size - height + 1));
    const left = Math.floor(rng.next() * (size - width + 1));
    for (let y = top; y < top + height; y++) {
      for (let x = left; x < left + width; x++) out[y * size + x] = Math.floor(rng.next() * 256);
    }
    return;
  }
}
