/** Upload rules for videos, shared by the Videos page (checked in the browser) and the upload route (checked again). */
export const ACCEPTED_VIDEO_TYPES = ["video/mp4", "video/webm", "video/quicktime"] as const;
export const VIDEO_ACCEPT_ATTRIBUTE = [...ACCEPTED_VIDEO_TYPES, ".mp4", ".webm", ".mov", ".m4v"].join(",");
export const DEFAULT_SAMPLE_FPS = 2;
export const SAMPLE_FPS_CHOICES = [0.5, 1, 2, 4, 5, 10] as const;

const EXTENSION_TYPES: Record<string, (typeof ACCEPTED_VIDEO_TYPES)[number]> = {
  mp4: "video/mp4",
  m4v: "video/mp4",
  webm: "video/webm",
  mov: "video/quicktime",
};

/** The browser leaves `type` empty for some files (.mov on Linux): fall back to the extension. */
export function videoTypeOf(file: { name: string; type: string }): string {
  if (file.type) return file.type;
  const extension = file.name.toLowerCase().split(".").pop() ?? "";
  return EXTENSION_TYPES[extension] ?? "";
}

export type VideoProblem = { kind: "type" | "size" | "empty"; message: string };

export function checkVideo(
  file: { name: string; type: string; size: number },
  maxBytes: number,
): VideoProblem | null {
  if (file.size === 0) return { kind: "empty", message: `“${file.name}” is empty.` };
  const type = videoTypeOf(file);
  if (!(ACCEPTED_VIDEO_TYPES as readonly string[]).includes(type)) {
    return {
      kind: "type",
      message: `“${file.name}” is not a supported video${type ? ` (${type})` : ""}. Choose an MP4, WebM or MOV file.`,
    };
  }
  if (file.size > maxBytes) {
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    return { kind: "size", message: `“${file.name}” is ${mb(file.size)}; the limit is ${mb(maxBytes)}.` };
  }
  return null;
}
