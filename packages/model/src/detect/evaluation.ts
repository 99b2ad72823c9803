// Detection quality against hand-drawn boxes: the one matching rule shared by the detector's acceptance test and
// the benchmark (so "found" means the same thing in both). Pure functions: no tfjs, no sharp.
import type { Box } from "@moodlens/shared";

/** Face boxes per image file from a dlib imglab XML document (`<image file='…'><box top left width height/>`). */
export function parseDlibBoxes(xml: string): Map<string, Box[]> {
  const faces = new Map<string, Box[]>();
  for (const image of xml.matchAll(/<image file='([^']+)'[^>]*>([\s\S]*?)<\/image>/g)) {
    const boxes = [...image[2]!.matchAll(/<box top='(-?\d+)' left='(-?\d+)' width='(\d+)' height='(\d+)'/g)].map(
      (box) => ({ y: Number(box[1]), x: Number(box[2]), width: Number(box[3]), height: Number(box[4]) }),
    );
    faces.set(image[1]!, [...(faces.get(image[1]!) ?? []), ...boxes]);
  }
  return faces;
}

const centre = (box: Box) => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });
const contains = (box: Box, point: { x: number; y: number }) =>
  point.x >= box.x && point.x <= box.x + box.width && point.y >= box.y && point.y <= box.y + box.height;

/**
 * Hand boxes matched one-to-one by detections, each box's centre inside the other: tolerant of the detectors'
 * different box conventions (forehead or not, square or not), strict about finding the face.
 */
export function matchFaces(truth: readonly Box[], detections: readonly Box[]): number {
  const used = new Set<number>();
  let matched = 0;
  for (const hand of truth) {
    const index = detections.findIndex((found, i) => !used.has(i) && contains(found, centre(hand)) && contains(hand, centre(found)));
    if (index >= 0) {
      used.add(index);
      matched++;
    }
  }
  return matched;
}
