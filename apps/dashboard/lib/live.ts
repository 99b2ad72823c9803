/**
 * The Live page's pure parts: camera errors explained, the rolling last-minute history, and the overlay's geometry.
 * Tested in test/live.test.ts.
 */
import { EMOTIONS, fromEmotionEnum, type Emotion } from "@moodlens/shared";
import type { TrackedFace } from "./api/types";

export const FRAME_RATES = [1, 2, 4, 6, 8] as const;
export const DEFAULT_FRAME_RATE = 4;
/** The rolling chart's window. */
export const HISTORY_SECONDS = 60;
/** Consecutive failed frames before the page says the API stopped answering (one slow frame is not an outage). */
export const FAILURES_BEFORE_OUTAGE = 3;
/** Frames are scaled down to this width before sending: enough for faces of a webcam, small to send. */
export const CAPTURE_MAX_WIDTH = 640;

export interface CameraProblem {
  code: "CAMERA_DENIED" | "NO_CAMERA" | "CAMERA_BUSY" | "CAMERA_UNAVAILABLE";
  title: string;
  message: string;
}

/** getUserMedia's DOMException (or its absence on plain http) as something a user can act on. */
export function describeCameraError(error: unknown, secureContext = true): CameraProblem {
  const name = (error as { name?: string } | null)?.name ?? "";
  if (!secureContext) {
    return {
      code: "CAMERA_UNAVAILABLE",
      title: "The camera needs a secure page",
      message:
        "Browsers only give the camera to pages served over https or from localhost. Open the dashboard that way.",
    };
  }
  if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") {
    return {
      code: "CAMERA_DENIED",
      title: "Camera permission was denied",
      message: "Allow this site to use the camera (the camera icon in the address bar), then start again.",
    };
  }
  if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") {
    return {
      code: "NO_CAMERA",
      title: "No camera found",
      message: "Connect a camera (or enable it), then start again.",
    };
  }
  if (name === "NotReadableError" || name === "TrackStartError" || name === "AbortError") {
    return {
      code: "CAMERA_BUSY",
      title: "The camera cannot be opened",
      message: "Another application may be using it. Close it, then start again.",
    };
  }
  return {
    code: "CAMERA_UNAVAILABLE",
    title: "The camera could not be started",
    message: error instanceof Error ? error.message : String(error),
  };
}

export type HistoryPoint = { t: number; faces: number; valence: number | null } & Record<Emotion, number>;

/** One point per answered frame: the mean smoothed probability of each emotion over the faces in it. */
export function historyPoint(t: number, faces: readonly TrackedFace[]): HistoryPoint {
  const point = { t, faces: faces.length, valence: null as number | null } as HistoryPoint;
  for (const emotion of EMOTIONS) point[emotion] = 0;
  if (faces.length === 0) return point;
  for (const face of faces) {
    for (const entry of face.emotions)
      point[fromEmotionEnum(entry.emotion)] += entry.probability / faces.length;
  }
  point.valence = faces.reduce((sum, face) => sum + face.valence, 0) / faces.length;
  return point;
}

/** Appends and drops what is older than the window (the history is ordered by t). */
export function pushHistory(
  history: readonly HistoryPoint[],
  point: HistoryPoint,
  windowSeconds = HISTORY_SECONDS,
): HistoryPoint[] {
  const cutoff = point.t - windowSeconds;
  const kept = history.filter((entry) => entry.t >= cutoff && entry.t <= point.t);
  return [...kept, point];
}

/** Size of the frame sent for a camera of width × height: at most CAPTURE_MAX_WIDTH wide, same aspect ratio. */
export function captureSize(width: number, height: number): { width: number; height: number } {
  if (width <= CAPTURE_MAX_WIDTH) return { width, height };
  const scale = CAPTURE_MAX_WIDTH / width;
  return { width: CAPTURE_MAX_WIDTH, height: Math.round(height * scale) };
}

/** How many times the label of each track changed between consecutive frames it was in. */
export function labelChanges(frames: readonly { trackId: number; label: string }[][]): Map<number, number> {
  const last = new Map<number, string>();
  const changes = new Map<number, number>();
  for (const frame of frames) {
    for (const { trackId, label } of frame) {
      const previous = last.get(trackId);
      if (previous !== undefined && previous !== label) changes.set(trackId, (changes.get(trackId) ?? 0) + 1);
      else if (!changes.has(trackId)) changes.set(trackId, 0);
      last.set(trackId, label);
    }
  }
  return changes;
}
