// Where the shared data lives, and the hand-boxed faces of ../shared/samples/group-photos (dlib imglab XML).
import { resolve, join } from "node:path";
import type { Box } from "@moodlens/shared";
import { readDlibBoxes } from "../src/detect/evaluation";

export { matchFaces } from "../src/detect/evaluation";

/** The read-only data folder beside the checkout (CI lays a copy beside its clone, wherever that is). */
export const SHARED_DIR = resolve(import.meta.dirname, "..", "..", "..", "..", "shared");
export const GROUP_PHOTOS_DIR = join(SHARED_DIR, "samples", "group-photos");
export const FER_VAL_DIR = join(SHARED_DIR, "datasets", "fer2013", "val");

export const handBoxedFaces = (): Map<string, Box[]> => readDlibBoxes(GROUP_PHOTOS_DIR);
