/** Side of the square grayscale face crop every classifier in Moodlens takes. */
export const INPUT_SIZE = 48;
/** How uint8 pixels become model input: value / 255. Stored in metadata.json so a model declares what it expects. */
export const NORMALIZATION = "divide255" as const;
export type Normalization = typeof NORMALIZATION;

/**
 * Decompression-bomb guard: images with more pixels than this are rejected from their header, before decoding.
 * 40 MP covers every phone camera (a 48 MP sensor saves 12 MP by default) at ~120 MB of RGB.
 */
export const DEFAULT_MAX_INPUT_PIXELS = 40_000_000;

/**
 * Extra context around the FER-2013 frame of a face (see face-frame.ts), as a fraction of its side on each side.
 * 0: the crop frames faces as FER-2013 does, which is what the classifier learned from (measured in
 * docs/photo-framing.md). Until 2026-12-06 this was 0.15 around the bare BlazeFace box, chosen by eye.
 */
export const DEFAULT_FACE_MARGIN = 0;

/**
 * The one resize kernel for training and serving. Lanczos3 is sharp's default and keeps edges crisp when
 * photo faces (often 60-300 px) are shrunk to 48 px; changing it changes what a trained model sees.
 */
export const RESIZE_KERNEL = "lanczos3" as const;

/** Transparent pixels are composited on this before anything else, so alpha never leaks into a crop. */
export const ALPHA_BACKGROUND = { r: 255, g: 255, b: 255 } as const;

/** Formats accepted from users. SVG/PDF and friends are refused: they are documents, not photos, and widen the attack surface. */
export const SUPPORTED_FORMATS = ["jpeg", "png", "webp", "gif", "tiff", "avif"] as const;
export type ImageFormat = (typeof SUPPORTED_FORMATS)[number];
