// The hand-boxed faces of ../shared/samples/group-photos (dlib imglab XML), and the matching rule of the
// detector acceptance test: centres inside each other, one-to-one.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Box } from "@moodlens/shared";

/** The read-only data folder beside the checkout (CI lays a copy beside its clone, wherever that is). */
export const SHARED_DIR = resolve(import.meta.dirname, "..", "..", "..", "..", "shared");
export const GROUP_PHOTOS_DIR = join(SHARED_DIR, "samples", "group-photos");
export const FER_VAL_DIR = join(SHARED_DIR, "datasets", "fer2013", "val");

export function handBoxedFaces(): Map<string, Box[]> {
  const faces = new Map<string, Box[]>();
  for (const xml of ["training.xml", "testing.xml"]) {
    const text = readFileSync(join(GROUP_PHOTOS_DIR, xml), "latin1");
    for (const image of text.matchAll(/<image file='([^']+)'[^>]*>([\s\S]*?)<\/image>/g)) {
      const boxes = [...image[2]!.matchAll(/<box top='(-?\d+)' left='(-?\d+)' width='(\d+)' height='(\d+)'/g)].map(
        (box) => ({ y: Number(box[1]), x: Number(box[2]), width: Number(box[3]), height: Number(box[4]) }),
      );
      faces.set(image[1]!, [...(faces.get(image[1]!) ?? []), ...boxes]);
    }
  }
  return faces;
}

const centre = (box: Box) => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });
const contains = (box: Box, point: { x: number; y: number }) =>
  point.x >= box.x && point.x <= box.x + box.width && point.y >= box.y && point.y <= box.y + box.height;

/** Number of hand boxes matched one-to-one by detections (each box's centre inside the other). */
export function matchFaces(truth: readonly Box[], detections: readonly Box[]): number {
  const used = new Set<number>();
  let matched = 0;
  for (const hand of truth) {
    const index = detections.findIndex(
      (found, i) => !used.has(i) && contains(found, centre(hand)) && contains(hand, centre(found)),
    );
    if (index >= 0) {
      used.add(index);
      matched++;
    }
  }
  return matched;
}
