import { AppError } from "@moodlens/shared";

const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*),/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64_URL = /^[A-Za-z0-9_-]*={0,2}$/;

export interface ImageBytes {
  bytes: Buffer;
  /** Media type named by a data URL, when one was given (the image is sniffed anyway). */
  declaredType: string | undefined;
}

/**
 * Decodes the `image` argument: plain base64 (standard or URL-safe, whitespace ignored) or a base64 data URL.
 * The size is checked from the string length BEFORE decoding, so an oversized upload costs no extra memory.
 */
export function decodeImageArgument(image: string, maxImageBytes: number): ImageBytes {
  let payload = image.trim();
  let declaredType: string | undefined;
  const dataUrl = DATA_URL.exec(payload);
  if (dataUrl) {
    if (!/;base64$/i.test(dataUrl[2] ?? "")) {
      throw new AppError("BAD_USER_INPUT", "data URLs must be base64-encoded (data:image/...;base64,...)", {
        details: { field: "image" },
      });
    }
    declaredType = dataUrl[1] || undefined;
    payload = payload.slice(dataUrl[0].length);
  }
  payload = payload.replace(/\s+/g, "");
  if (payload.length === 0) {
    throw new AppError("BAD_USER_INPUT", "image is empty", { details: { field: "image" } });
  }
  const estimatedBytes = Math.floor((payload.length * 3) / 4);
  if (estimatedBytes > maxImageBytes + 2) {
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `the image is about ${estimatedBytes} bytes; the limit is ${maxImageBytes}`,
      {
        details: { field: "image", maxImageBytes },
        hint: "downscale or recompress the image, or raise MOODLENS_MAX_IMAGE_BYTES",
      },
    );
  }
  const urlSafe = !BASE64.test(payload);
  if (urlSafe && !BASE64_URL.test(payload)) {
    throw new AppError("BAD_USER_INPUT", "image is not valid base64", {
      details: { field: "image" },
      hint: "send the file's bytes base64-encoded, or a data URL",
    });
  }
  const unpadded = payload.replace(/=+$/, "");
  if (unpadded.length % 4 === 1) {
    throw new AppError("BAD_USER_INPUT", "image is not valid base64 (truncated)", {
      details: { field: "image" },
    });
  }
  const bytes = Buffer.from(payload, urlSafe ? "base64url" : "base64");
  return { bytes, declaredType };
}

/** The limit on the bytes themselves, at every edge (a decoded `image` argument, the binary route's body). */
export function checkImageBytes(bytes: Buffer, maxImageBytes: number): void {
  if (bytes.byteLength === 0)
    throw new AppError("BAD_USER_INPUT", "the request body is empty; send the image bytes");
  if (bytes.byteLength > maxImageBytes) {
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `the image is ${bytes.byteLength} bytes; the limit is ${maxImageBytes}`,
      {
        details: { maxImageBytes },
      },
    );
  }
}
