import type { FaceRecord } from "./check";

export interface FramingFit {
  faces: number;
  /** Median position of each BlazeFace keypoint in its face's FER-2013 48x48 frame, mirrored and averaged (symmetric about x = 24). */
  keypointTemplate: [number, number][];
  /** Median absolute deviation of each keypoint around its median (x, y), in FER pixels: FER's own framing spread plus detector noise. */
  keypointSpread: [number, number][];
  /** Median FER side / box side, and median height of the FER centre above the box centre as a share of the FER side. */
  sidePerBoxSide: number;
  centreAboveBoxCentre: number;
  /** Median and MAD of (eye-line angle - placement angle) in degrees: FER-2013's own head tilt plus detector noise. */
  eyeLineTiltDegrees: { median: number; mad: number };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const mad = (values: readonly number[]) => median(values.map((value) => Math.abs(value - median(values))));
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
/** BlazeFace keypoint order: right eye, left eye, nose, mouth, right ear, left ear; mirror partners. */
const MIRROR = [1, 0, 2, 3, 5, 4];

/**
 * Fits the crop rule's constants (packages/model/src/preprocess/face-frame.ts) from the photo-path records: each
 * detected keypoint and box mapped back into its face's own 48x48 frame (the placement is known exactly).
 */
export function fitFraming(records: readonly FaceRecord[]): FramingFit {
  const detected = records.filter((record) => record.detected);
  const keypoints = detected.map(({ placed, detected: found }) => {
    const angle = (placed.angleDegrees * Math.PI) / 180;
    const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
    const scale = 48 / placed.side;
    return found!.landmarks.map(({ x, y }) => {
      const [dx, dy] = [x - placed.centreX, y - placed.centreY];
      return [24 + (dx * cos + dy * sin) * scale, 24 + (-dx * sin + dy * cos) * scale] as const;
    });
  });
  const medians = MIRROR.map((_, point) =>
    [0, 1].map((axis) => median(keypoints.map((face) => face[point]![axis]!))),
  );
  const keypointTemplate = MIRROR.map((partner, point) => [
    round((medians[point]![0]! + 48 - medians[partner]![0]!) / 2),
    round((medians[point]![1]! + medians[partner]![1]!) / 2),
  ]) as [number, number][];
  const keypointSpread = MIRROR.map(
    (_, point) =>
      [0, 1].map((axis) => round(mad(keypoints.map((face) => face[point]![axis]!)))) as [number, number],
  );
  const tilts = detected.map(({ placed, detected: found }) => {
    const [right, left] = found!.landmarks;
    return (Math.atan2(left!.y - right!.y, left!.x - right!.x) * 180) / Math.PI - placed.angleDegrees;
  });
  return {
    faces: detected.length,
    keypointTemplate,
    keypointSpread,
    sidePerBoxSide: round(
      median(
        detected.map(
          ({ placed, detected: found }) => placed.side / Math.max(found!.box.width, found!.box.height),
        ),
      ),
      3,
    ),
    centreAboveBoxCentre: round(
      median(
        detected.map(
          ({ placed, detected: found }) =>
            (found!.box.y + found!.box.height / 2 - placed.centreY) / placed.side,
        ),
      ),
      4,
    ),
    eyeLineTiltDegrees: { median: round(median(tilts), 1), mad: round(mad(tilts), 1) },
  };
}
