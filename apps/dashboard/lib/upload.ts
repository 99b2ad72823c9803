/** Upload rules shared by the Try-it page (checked in the browser) and the analyze route (checked again on the server). */
export const ACCEPTED_IMAGE_TYPES = [
  "image/jpeg",
  "image/png",
  "image/webp",
  "image/gif",
  "image/avif",
  "image/tiff",
] as const;
export const ACCEPT_ATTRIBUTE = ACCEPTED_IMAGE_TYPES.join(",");
/** Analysis (and especially saliency) is slower than a statistics query. */
export const ANALYZE_TIMEOUT_MS = 90_000;

export type UploadProblem = { kind: "type" | "size" | "empty"; message: string };

export function checkUpload(
  file: { name: string; type: string; size: number },
  maxBytes: number,
): UploadProblem | null {
  if (file.size === 0) return { kind: "empty", message: `“${file.name}” is empty.` };
  if (!(ACCEPTED_IMAGE_TYPES as readonly string[]).includes(file.type)) {
    return {
      kind: "type",
      message: `“${file.name}” is not a supported image${file.type ? ` (${file.type})` : ""}. Choose a JPEG, PNG, WebP, GIF, AVIF or TIFF photo.`,
    };
  }
  if (file.size > maxBytes) {
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    return {
      kind: "size",
      message: `“${file.name}” is ${mb(file.size)}; the limit is ${mb(maxBytes)}. Choose a smaller photo.`,
    };
  }
  return null;
}
