/**
 * Work bounded by the image's shape, not only its pixel count: a 25,000,000x1 PNG is within 25 MP yet the detector
 * tiles its long side into thousands of views (55 s and ~850 MB per request, measured). Checked from the header,
 * before decoding.
 */
import { AppError } from "@moodlens/shared";

export interface ShapeLimits {
  maxImageSide: number;
  maxAspectRatio: number;
}

export function checkImageShape(width: number, height: number, limits: ShapeLimits): void {
  const longSide = Math.max(width, height);
  if (longSide > limits.maxImageSide) {
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `the image is ${width}x${height}; its longer side may be at most ${limits.maxImageSide} px`,
      {
        details: { width, height, maxImageSide: limits.maxImageSide },
        hint: "downscale the image before sending it, or raise MOODLENS_MAX_IMAGE_SIDE",
      },
    );
  }
  const ratio = longSide / Math.max(1, Math.min(width, height));
  if (ratio > limits.maxAspectRatio) {
    throw new AppError(
      "UNSUPPORTED_IMAGE",
      `the image is ${width}x${height}; images more than ${limits.maxAspectRatio} times as long as wide are not analysed`,
      {
        details: { width, height, maxAspectRatio: limits.maxAspectRatio },
        hint: "crop the image, or raise MOODLENS_MAX_ASPECT_RATIO",
      },
    );
  }
}
