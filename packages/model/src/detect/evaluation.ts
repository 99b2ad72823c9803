// Detection quality against hand-drawn boxes: the one matching rule shared by the detector's acceptance test and
// the benchmark (so "found" means the same thing in both). No tfjs, no sharp.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Box } from "@moodlens/shared";

/** Face boxes per image file from a dlib imglab XML document (`<image file='…'><box top left width height/>`). */
export function parseDlibBoxes(xml: string): Map<string, Box[]> {
  const faces = new Map<string, Box[]>();
  for (const image of xml.matchAll(/<image file='([^']+)'[^>]*>([\s\S]*?)<\/image>/g)) {
    const boxes = [
      ...image[2]!.matchAll(/<box top='(-?\d+)' left='(-?\d+)' width='(\d+)' height='(\d+)'/g),
    ].map((box) => ({ y: Number(box[1]), x: Number(box[2]), width: Number(box[3]), height: Number(box[4]) }));
    faces.set(image[1]!, [...(faces.get(image[1]!) ?? []), ...boxes]);
  }
  return faces;
}

/** The boxes of every dlib XML file of `dir` that exists (default: training.xml and testing.xml), merged per image. */
export function readDlibBoxes(
  dir: string,
  files: readonly string[] = ["training.xml", "testing.xml"],
): Map<string, Box[]> {
  const faces = new Map<string, Box[]>();
  for (const file of files.map((name) => join(dir, name)).filter((path) => existsSync(path))) {
    for (const [image, boxes] of parseDlibBoxes(readFileSync(file, "latin1")))
      faces.set(image, [...(faces.get(image) ?? []), ...boxes]);
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
