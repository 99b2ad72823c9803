import { INPUT_SIZE } from "./constants";

/**
 * A square gray crop mirrored left-right: the one flip of test-time augmentation (the analyzer's tfjs and ONNX
 * classifiers and the trainer's evaluation average a face's prediction with its mirror image's).
 */
export function mirrorCrop(crop: Uint8Array, size: number = INPUT_SIZE): Uint8Array {
  const out = new Uint8Array(crop.length);
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++)
      out[row * size + column] = crop[row * size + size - 1 - column]!;
  }
  return out;
}
