import { tf } from "../tf";
import { AppError } from "@moodlens/shared";
import { INPUT_SIZE } from "./constants";

/**
 * Stacks 48x48 gray crops into the model input: float32 NHWC [N, 48, 48, 1], value = pixel / 255
 * (normalisation "divide255"). The caller owns (and disposes) the returned tensor.
 */
export function toModelInput(crops: readonly Uint8Array[], size: number = INPUT_SIZE): tf.Tensor4D {
  const pixelsPerCrop = size * size;
  const values = new Float32Array(crops.length * pixelsPerCrop);
  crops.forEach((crop, index) => {
    if (crop.length !== pixelsPerCrop) {
      throw new AppError(
        "BAD_USER_INPUT",
        `crop ${index} has ${crop.length} pixels, expected ${pixelsPerCrop} (${size}x${size} gray)`,
      );
    }
    const offset = index * pixelsPerCrop;
    for (let i = 0; i < pixelsPerCrop; i++) values[offset + i] = crop[i]! / 255;
  });
  return tf.tensor4d(values, [crops.length, size, size, 1], "float32");
}
