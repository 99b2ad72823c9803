import { describe, expect, it } from "vitest";
import type { TrackedFace } from "../lib/api/types";
import { captureSize, describeCameraError, historyPoint, labelChanges, pushHistory } from "../lib/live";

const face = (trackId: number, happy: number, valence: number): TrackedFace => ({
  trackId,
  box: { x: 0, y: 0, width: 10, height: 10 },
  detectionScore: 0.9,
  dominantEmotion: happy >= 0.5 ? "HAPPY" : "NEUTRAL",
  valence,
  frames: 1,
  emotions: [
    { emotion: "HAPPY", probability: happy },
    { emotion: "NEUTRAL", probability: 1 - happy },
  ],
  rawEmotions: [],
});

describe("live page helpers", () => {
  it("names each camera failure", () => {
    expect(describeCameraError(new DOMException("no", "NotAllowedError")).code).toBe("CAMERA_DENIED");
    expect(describeCameraError(new DOMException("none", "NotFoundError")).code).toBe("NO_CAMERA");
    expect(describeCameraError(new DOMException("busy", "NotReadableError")).code).toBe("CAMERA_BUSY");
    expect(describeCameraError(undefined, false).title).toMatch(/secure/);
  });

  it("averages the faces of a frame and keeps only the last minute", () => {
    const point = historyPoint(10, [face(1, 1, 0.8), face(2, 0, 0)]);
    expect(point).toMatchObject({ t: 10, faces: 2, happy: 0.5, neutral: 0.5, valence: 0.4 });
    expect(historyPoint(11, [])).toMatchObject({ faces: 0, valence: null, happy: 0 });
    let history = [historyPoint(0, []), historyPoint(30, [])];
    history = pushHistory(history, historyPoint(70, []));
    expect(history.map((entry) => entry.t)).toEqual([30, 70]);
  });

  it("scales wide cameras down to the capture width", () => {
    expect(captureSize(1280, 720)).toEqual({ width: 640, height: 360 });
    expect(captureSize(320, 240)).toEqual({ width: 320, height: 240 });
  });

  it("counts label changes per track", () => {
    const changes = labelChanges([
      [{ trackId: 1, label: "happy" }],
      [
        { trackId: 1, label: "sad" },
        { trackId: 2, label: "fear" },
      ],
      [
        { trackId: 1, label: "sad" },
        { trackId: 2, label: "fear" },
      ],
      [{ trackId: 1, label: "happy" }],
    ]);
    expect(Object.fromEntries(changes)).toEqual({ 1: 2, 2: 0 });
  });
});
