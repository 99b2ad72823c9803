import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createFaceDetector,
  cropFace,
  decodeImage,
  preprocessCrop,
  selectBackend,
  type FaceDetector,
} from "@moodlens/model";
import { matchFaces } from "@moodlens/model/evaluation";
import { FER_VAL_DIR } from "../src/core/paths";
import { ferClassFiles } from "../src/data/fer";
import { composedPhotos, correlation, placedBox } from "../src/photo-path/check";
import { COMPOSITION, type Composition } from "../src/photo-path/compose";

// A handful of PublicTest faces (the last file of each class: the crop rule was fitted on files 100-124) laid into
// synthetic photos, found by the real BlazeFace and cut with the product's crop rule.
let detector: FaceDetector;
let crops: Uint8Array[];

beforeAll(async () => {
  await selectBackend(undefined, { logger: () => {} });
  detector = await createFaceDetector();
  const classes = await ferClassFiles(FER_VAL_DIR);
  crops = await Promise.all(
    classes.map(({ folder, files }) => preprocessCrop(join(FER_VAL_DIR, folder, files.at(-1)!))),
  );
}, 120_000);

afterAll(async () => {
  await detector?.dispose();
});

describe("photo path: FER-2013 faces inside photos", () => {
  it("finds every face and frames it like the original 48x48 crop", async () => {
    const correlations: number[] = [];
    let placed = 0;
    for await (const { photo, faces } of composedPhotos(crops, [], 7)) {
      const image = await decodeImage(photo.bytes);
      const { faces: found } = await detector.detect(image);
      for (const [i, face] of photo.faces.entries()) {
        placed++;
        const match = found.find((candidate) => matchFaces([placedBox(face)], [candidate.box]) === 1);
        expect(
          match,
          `face ${faces[i]} in a ${photo.width}x${photo.height} ${photo.background} photo`,
        ).toBeDefined();
        correlations.push(correlation(await cropFace(image, match!), crops[faces[i]!]!));
      }
    }
    expect(placed).toBe(crops.length);
    // Framed like FER-2013, the crop resembles the original face. Not closely: FER-2013's own framing varies by
    // ~2 px and ~10 % of scale around the keypoints, and its faces are not levelled (docs/photo-framing.md). The
    // box-centred crop with 15 % margin used before scored ~0.3 on such faces, the new rule ~0.45 over the check.
    const mean = correlations.reduce((a, b) => a + b, 0) / correlations.length;
    expect(mean).toBeGreaterThan(0.5);
    expect(Math.min(...correlations)).toBeGreaterThan(0.25);
  }, 300_000);
});

describe("re-framing backgrounds", () => {
  it("draws the same cluttered photo from a seed, and the detector finds the faces in front of it", async () => {
    const cluttered: Composition = { ...COMPOSITION, backgroundKinds: ["clutter"] };
    const first = composedPhotos(crops.slice(0, 3), [], 11, cluttered);
    const second = composedPhotos(crops.slice(0, 3), [], 11, cluttered);
    for await (const { photo } of first) {
      const { value: again } = await second.next();
      expect(photo.background).toBe("clutter");
      expect(Buffer.compare(photo.bytes, again!.photo.bytes)).toBe(0);
      const { faces: found } = await detector.detect(await decodeImage(photo.bytes));
      for (const face of photo.faces)
        expect(found.some((candidate) => matchFaces([placedBox(face)], [candidate.box]) === 1)).toBe(true);
    }
  }, 120_000);
});
