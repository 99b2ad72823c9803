import { join } from "node:path";
import sharp from "sharp";
import type { Box } from "@moodlens/shared";
import { GROUP_PHOTOS_DIR } from "../core/paths";
import { readHandBoxes } from "./hand-boxes";

type HandBox = Box & { file: string };

const SCALE = 3;

/** The square region SCALE times a face's size, centred on it and kept inside the photo. */
function regionAround(face: HandBox, width: number, height: number) {
  const side = Math.min(Math.round(Math.max(face.width, face.height) * SCALE), width, height);
  const left = Math.max(0, Math.min(width - side, Math.round(face.x + face.width / 2 - side / 2)));
  const top = Math.max(0, Math.min(height - side, Math.round(face.y + face.height / 2 - side / 2)));
  return { left, top, width: side, height: side };
}

/**
 * A one-face JPEG made at run time (no image is stored in the repo): the square region three times the size of the
 * largest hand-labelled face whose region holds no other labelled face (even partly). Returns bytes and origin.
 */
export async function makeOneFaceImage(
  dir: string = GROUP_PHOTOS_DIR,
): Promise<{ bytes: Buffer; origin: string }> {
  const boxes: HandBox[] = [...readHandBoxes(dir)].flatMap(([file, found]) =>
    found.map((box) => ({ file, ...box })),
  );
  const bySize = [...boxes].sort((a, b) => b.width * b.height - a.width * a.height);
  for (const face of bySize) {
    const photo = sharp(join(dir, face.file));
    const { width = 0, height = 0 } = await photo.metadata();
    const region = regionAround(face, width, height);
    const alone = boxes.every(
      (other) =>
        other === face ||
        other.file !== face.file ||
        other.x + other.width <= region.left ||
        other.x >= region.left + region.width ||
        other.y + other.height <= region.top ||
        other.y >= region.top + region.height,
    );
    if (!alone) continue;
    const bytes = await photo.extract(region).jpeg({ quality: 90 }).toBuffer();
    return {
      bytes,
      origin: `${face.file} region ${region.width}x${region.height} at (${region.left},${region.top}) around a hand-labelled face with no other labelled face in it`,
    };
  }
  throw new Error(
    `no hand-labelled face in ${dir}/{training,testing}.xml stands alone in a ${SCALE}x region`,
  );
}
