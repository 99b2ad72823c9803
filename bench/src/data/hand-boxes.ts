import { matchFaces, readDlibBoxes } from "@moodlens/model/evaluation";
import type { Box } from "@moodlens/shared";
import { GROUP_PHOTOS_DIR } from "../core/paths";

/** Hand-labelled face boxes per photo, from the dlib XML files next to the photos (none when they are missing). */
export const readHandBoxes = (dir: string = GROUP_PHOTOS_DIR): Map<string, Box[]> => readDlibBoxes(dir);

export interface DetectionScore {
  /** Photos with hand boxes, and their hand boxes. */
  handBoxedPhotos: number;
  handBoxes: number;
  /** Hand boxes found (one-to-one, each box's centre inside the other: the detector acceptance test's rule). */
  matched: number;
  recall: number | null;
  /** Boxes on the hand-boxed photos that match no hand box: false detections, or faces nobody boxed. */
  unmatchedFaces: number;
  precision: number | null;
}

/** How a system's boxes (per photo file name) compare with the hand boxes, on the photos that have them. */
export function scoreDetection(
  found: Record<string, readonly Box[]>,
  hand: ReadonlyMap<string, readonly Box[]>,
): DetectionScore {
  let handBoxedPhotos = 0;
  let handBoxes = 0;
  let matched = 0;
  let detections = 0;
  for (const [file, truth] of hand) {
    const boxes = found[file];
    if (!boxes || truth.length === 0) continue;
    handBoxedPhotos++;
    handBoxes += truth.length;
    detections += boxes.length;
    matched += matchFaces(truth, boxes);
  }
  const share = (part: number, whole: number) =>
    whole > 0 ? Math.round((part / whole) * 1000) / 1000 : null;
  return {
    handBoxedPhotos,
    handBoxes,
    matched,
    recall: share(matched, handBoxes),
    unmatchedFaces: detections - matched,
    precision: share(matched, detections),
  };
}
