// The hand-boxed faces of ../shared/samples/group-photos (dlib imglab XML) and where the shared data lives.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Box } from "@moodlens/shared";
import { parseDlibBoxes } from "../src/detect/evaluation";

export { matchFaces } from "../src/detect/evaluation";

/** The read-only data folder beside the checkout (CI lays a copy beside its clone, wherever that is). */
export const SHARED_DIR = resolve(import.meta.dirname, "..", "..", "..", "..", "shared");
export const GROUP_PHOTOS_DIR = join(SHARED_DIR, "samples", "group-photos");
export const FER_VAL_DIR = join(SHARED_DIR, "datasets", "fer2013", "val");

export function handBoxedFaces(): Map<string, Box[]> {
  const faces = new Map<string, Box[]>();
  for (const xml of ["training.xml", "testing.xml"]) {
    for (const [file, boxes] of parseDlibBoxes(readFileSync(join(GROUP_PHOTOS_DIR, xml), "latin1"))) {
      faces.set(file, [...(faces.get(file) ?? []), ...boxes]);
    }
  }
  return faces;
}
