import type { Box, Point } from "@moodlens/shared";

/**
 * Where a face sits in a photo, framed the way FER-2013 frames its 48x48 crops: the centre and side of the square
 * crop in image pixels, and its rotation (radians, clockwise on screen: image y points down). A crop of this square,
 * turned by -angle, shows the face as a FER-2013 image would: eyes level, at the same height and size.
 */
export interface FaceFrame {
  centreX: number;
  centreY: number;
  side: number;
  angle: number;
}

/** A detected face: its box, and BlazeFace's six keypoints when the caller has them. */
export interface FaceToCrop {
  box: Box;
  /** Right eye, left eye, nose tip, mouth, right ear, left ear (the subject's sides), in image pixels. */
  landmarks?: readonly Point[];
}

/**
 * Where BlazeFace's keypoints fall in a FER-2013 48x48 crop (x, y in crop pixels, same order as `landmarks`).
 * Measured with the photo-path check (`npm run photo-path -w @moodlens/bench -- --fit`): 150 FER-2013 PublicTest
 * faces (files 100-124 of each class; none of them is judged by the check's quick or full mode) laid into synthetic
 * photos at known positions, sizes and rotations; 140 were detected, and each keypoint was mapped back into its
 * face's own 48x48 frame. Medians, mirrored and averaged so that the template is left-right symmetric about x = 24
 * (a flipped face gets the mirrored frame). Spread (median absolute deviation) 1.4-2.5 px for eyes, nose and mouth:
 * FER-2013's own framing varies that much. See docs/photo-framing.md.
 */
export const FER_KEYPOINT_TEMPLATE: readonly (readonly [number, number])[] = [
  [15.01, 19.09],
  [32.99, 19.09],
  [24.0, 28.79],
  [24.0, 37.27],
  [5.75, 22.91],
  [42.25, 22.91],
];

/**
 * Without keypoints, the frame follows the box: the FER-2013 side is this multiple of BlazeFace's (square) box side,
 * and the FER-2013 centre lies this share of the FER side above the box centre (medians, same measurement).
 */
export const FER_SIDE_PER_BOX_SIDE = 1.172;
export const FER_CENTRE_ABOVE_BOX_CENTRE = 0.0906;

/** Keypoint frames are fitted to these template points: eyes, nose and mouth (the ear points wander with yaw). */
const FITTED_KEYPOINTS = [0, 1, 2, 3] as const;

/** FER-2013 crops are 48 px; the template above is in those pixels. */
const FER_SIDE = 48;

const isPoint = (point: Point | undefined): point is Point =>
  !!point && Number.isFinite(point.x) && Number.isFinite(point.y);

/** The FER frame of a box alone: no rotation, centred a little above the box centre. */
export function boxFrame(box: Box): FaceFrame {
  const boxSide = Math.max(box.width, box.height);
  const side = boxSide * FER_SIDE_PER_BOX_SIDE;
  return {
    centreX: box.x + box.width / 2,
    centreY: box.y + box.height / 2 - side * FER_CENTRE_ABOVE_BOX_CENTRE,
    side,
    angle: 0,
  };
}

/**
 * The FER frame of a detected face. With keypoints: the rotation levels the eye line (right eye -> left eye), then
 * scale and position are the least-squares fit of the template's eyes, nose and mouth to the detected ones in that
 * rotated frame. Without usable keypoints (missing, or both eyes on one spot): `boxFrame`.
 */
export function faceFrame(face: FaceToCrop): FaceFrame {
  const points = face.landmarks;
  if (!points || !FITTED_KEYPOINTS.every((index) => isPoint(points[index]))) return boxFrame(face.box);
  const [rightEye, leftEye] = [points[0]!, points[1]!];
  const angle = Math.atan2(leftEye.y - rightEye.y, leftEye.x - rightEye.x);
  if (!(Math.hypot(leftEye.y - rightEye.y, leftEye.x - rightEye.x) > 0)) return boxFrame(face.box);
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  // Detected keypoints in the rotated frame (turned by -angle): there the template and the face differ by scale + shift.
  const detected = FITTED_KEYPOINTS.map((index) => {
    const { x, y } = points[index]!;
    return { x: x * cos + y * sin, y: -x * sin + y * cos };
  });
  const template = FITTED_KEYPOINTS.map((index) => FER_KEYPOINT_TEMPLATE[index]!);
  const count = FITTED_KEYPOINTS.length;
  const templateMean = {
    x: template.reduce((s, [x]) => s + x, 0) / count,
    y: template.reduce((s, [, y]) => s + y, 0) / count,
  };
  const detectedMean = {
    x: detected.reduce((s, p) => s + p.x, 0) / count,
    y: detected.reduce((s, p) => s + p.y, 0) / count,
  };
  let cross = 0;
  let spread = 0;
  template.forEach(([x, y], i) => {
    const [dx, dy] = [x - templateMean.x, y - templateMean.y];
    cross += dx * (detected[i]!.x - detectedMean.x) + dy * (detected[i]!.y - detectedMean.y);
    spread += dx * dx + dy * dy;
  });
  const scale = cross / spread; // image pixels per FER pixel
  if (!(scale > 0)) return boxFrame(face.box);
  const centre = {
    x: detectedMean.x + scale * (FER_SIDE / 2 - templateMean.x),
    y: detectedMean.y + scale * (FER_SIDE / 2 - templateMean.y),
  };
  return {
    centreX: centre.x * cos - centre.y * sin,
    centreY: centre.x * sin + centre.y * cos,
    side: scale * FER_SIDE,
    angle,
  };
}
