import { readFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { GROUP_PHOTOS_DIR } from "../core/paths";

interface HandBox {
  file: string;
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Hand-labelled face boxes from the dlib XML files next to the photos. */
async function readHandBoxes(dir: string): Promise<HandBox[]> {
  const boxes: HandBox[] = [];
  for (const xml of ["training.xml", "testing.xml"]) {
    const text = await readFile(join(dir, xml), "latin1").catch(() => "");
    for (const image of text.matchAll(/<image file='([^']+)'[^>]*>([\s\S]*?)<\/image>/g)) {
      for (const box of image[2]!.matchAll(/<box top='(-?\d+)' left='(-?\d+)' width='(\d+)' height='(\d+)'/g)) {
        boxes.push({ file: image[1]!, top: Number(box[1]), left: Number(box[2]), width: Number(box[3]), height: Number(box[4]) });
      }
    }
  }
  return boxes;
}

/**
 * A one-face JPEG made at run time (no image is stored in the repo): the square region three times the size of
 * the largest hand-labelled face in the group photos, centred on it. Returns the bytes and where they come from.
 */
export async function makeOneFaceImage(dir: string = GROUP_PHOTOS_DIR): Promise<{ bytes: Buffer; origin: string }> {
  const boxes = await readHandBoxes(dir);
  const largest = boxes.sort((a, b) => b.width * b.height - a.width * a.height)[0];
  if (!largest) throw new Error(`no hand-labelled faces in ${dir}/{training,testing}.xml`);
  const photo = sharp(join(dir, largest.file));
  const { width = 0, height = 0 } = await photo.metadata();
  const side = Math.min(Math.round(Math.max(largest.width, largest.height) * 3), width, height);
  const left = Math.max(0, Math.min(width - side, Math.round(largest.left + largest.width / 2 - side / 2)));
  const top = Math.max(0, Math.min(height - side, Math.round(largest.top + largest.height / 2 - side / 2)));
  const bytes = await photo.extract({ left, top, width: side, height: side }).jpeg({ quality: 90 }).toBuffer();
  return { bytes, origin: `${largest.file} region ${side}x${side} at (${left},${top}) around its largest hand-labelled face` };
}
