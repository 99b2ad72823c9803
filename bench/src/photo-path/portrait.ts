/**
 * Close-up portraits: the photo-path check on photos that are nothing but the face. Each FER-2013 crop is enlarged
 * to a 160-512 px photo, given 0-15 % of its side of edge-copied pixels on every side (a face that fills the frame
 * and touches its borders, as in a close-up portrait or a phone's selfie crop), turned by up to ±10° for half of
 * the faces, and saved as JPEG 70-95; then it goes through `analyzer.analyze` like any uploaded photo. Reports the
 * detection rate and, on the detected faces, accuracy through the photo path against classifying the original
 * crops (`evaluate`'s path). See docs/photo-framing.md, "Close-up portraits".
 */
import sharp from "sharp";
import { decodeImage, type FaceAnalyzer } from "@moodlens/model";
import { detectedFields, matchPlaced, summarise, type FaceRecord, type PhotoPathSummary } from "./check";
import type { PlacedFace } from "./compose";
import { seededRandom, type Random } from "./random";

/** The ranges the portraits are drawn from. */
export const PORTRAIT = {
  /** Side of the enlarged 48x48 crop, px. */
  faceSide: [160, 512],
  /** Edge-copied border on every side, as a share of the face side. */
  margin: [0, 0.15],
  /** Half of the faces stay upright; the other half turn by up to this much either way. */
  rotatedShare: 0.5,
  maxAngleDegrees: 10,
  jpegQuality: [70, 95],
} as const;

/** Fixed, so every run makes the same portraits. */
export const PORTRAIT_SEED = 20261207;

export interface Portrait {
  bytes: Buffer;
  /** The photo is square: side x side. */
  side: number;
  margin: number;
  jpegQuality: number;
  face: PlacedFace;
}

/**
 * One portrait: the crop enlarged bicubically (as compose.ts enlarges faces), then sampled onto a square canvas
 * `margin` of the face side larger on every side, turned clockwise by `angleDegrees` about the centre, bilinear,
 * replicating the enlarged crop's edge pixels wherever the canvas reaches past it (no black corners, no border).
 */
export async function makePortrait(
  crop: Uint8Array,
  faceSide: number,
  margin: number,
  angleDegrees: number,
  jpegQuality: number,
): Promise<Portrait> {
  const enlarged = await sharp(crop, { raw: { width: 48, height: 48, channels: 1 } })
    .resize(faceSide, faceSide, { kernel: "cubic" })
    .extractChannel(0) // sharp hands back one-channel raw input as sRGB: keep one channel
    .raw()
    .toBuffer();
  if (enlarged.length !== faceSide * faceSide) throw new Error("expected one gray channel");
  const pad = Math.round(faceSide * margin);
  const side = faceSide + 2 * pad;
  const centre = side / 2;
  const [cos, sin] = [Math.cos((angleDegrees * Math.PI) / 180), Math.sin((angleDegrees * Math.PI) / 180)];
  const clamp = (value: number) => (value < 0 ? 0 : value > faceSide - 1 ? faceSide - 1 : value);
  const gray = new Uint8Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      // Canvas pixel centre -> the enlarged crop (turned back by -angle), in pixel-index coordinates.
      const [dx, dy] = [x + 0.5 - centre, y + 0.5 - centre];
      const u = clamp(faceSide / 2 + dx * cos + dy * sin - 0.5);
      const v = clamp(faceSide / 2 - dx * sin + dy * cos - 0.5);
      const [u0, v0] = [Math.floor(u), Math.floor(v)];
      const [u1, v1] = [Math.min(u0 + 1, faceSide - 1), Math.min(v0 + 1, faceSide - 1)];
      const [fu, fv] = [u - u0, v - v0];
      const top = enlarged[v0 * faceSide + u0]! * (1 - fu) + enlarged[v0 * faceSide + u1]! * fu;
      const bottom = enlarged[v1 * faceSide + u0]! * (1 - fu) + enlarged[v1 * faceSide + u1]! * fu;
      gray[y * side + x] = Math.round(top * (1 - fv) + bottom * fv);
    }
  }
  const bytes = await sharp(gray, { raw: { width: side, height: side, channels: 1 } })
    .toColourspace("srgb")
    .jpeg({ quality: jpegQuality })
    .toBuffer();
  return {
    bytes,
    side,
    margin,
    jpegQuality,
    face: { face: 0, centreX: centre, centreY: centre, side: faceSide, angleDegrees },
  };
}

/** The portrait of one crop, every choice drawn from `random` (a seed gives the same photo). */
export async function randomPortrait(crop: Uint8Array, random: Random): Promise<Portrait> {
  const faceSide = random.integer(PORTRAIT.faceSide[0], PORTRAIT.faceSide[1]);
  const margin = random.between(PORTRAIT.margin[0], PORTRAIT.margin[1]);
  const rotated = random.next() < PORTRAIT.rotatedShare;
  const angle = random.between(-PORTRAIT.maxAngleDegrees, PORTRAIT.maxAngleDegrees);
  const jpegQuality = random.integer(PORTRAIT.jpegQuality[0], PORTRAIT.jpegQuality[1]);
  return makePortrait(crop, faceSide, margin, rotated ? angle : 0, jpegQuality);
}

export interface PortraitSummary extends PhotoPathSummary {
  /** Detection rate and gap by the edge-copied margin around the face (share of its side). */
  byMargin: { margin: string; faces: number; detectionRate: number; gapPoints: number }[];
}

export interface PortraitResult extends PortraitSummary {
  sample: string;
  seed: number;
  seconds: number;
  ranges: typeof PORTRAIT;
}

const round = (value: number, digits = 4) => Math.round(value * 10 ** digits) / 10 ** digits;
const argmax = (row: readonly number[]) => row.indexOf(Math.max(...row));

/**
 * Every crop as one portrait (deterministic from `seed`) through `analyzer.analyze`, against classifying the
 * original crop. A face counts as found when a detection's box and the face's 48x48 frame hold each other's centre
 * (the photo-path check's rule); any other box is an extra one.
 */
export async function runPortraitCheck(input: {
  analyzer: FaceAnalyzer;
  crops: readonly Uint8Array[];
  labels: readonly number[];
  seed: number;
  log?: (line: string) => void;
}): Promise<{ summary: PortraitSummary; records: (FaceRecord & { margin: number })[] }> {
  const { analyzer, crops, labels } = input;
  const cropRows = await analyzer.classifyFaces(crops);
  const random = seededRandom(input.seed);
  const records: (FaceRecord & { margin: number })[] = [];
  let extraBoxes = 0;
  for (const [index, crop] of crops.entries()) {
    const portrait = await randomPortrait(crop, random);
    const result = await analyzer.analyze(portrait.bytes);
    const match = matchPlaced(result.faces, portrait.face);
    const record: FaceRecord & { margin: number } = {
      face: index,
      label: labels[index]!,
      placed: { ...portrait.face, face: index },
      cropPrediction: argmax(cropRows[index]!),
      margin: portrait.margin,
    };
    if (match >= 0)
      Object.assign(
        record,
        await detectedFields(analyzer, await decodeImage(portrait.bytes), result.faces[match]!, crop),
      );
    extraBoxes += result.faces.length - (match >= 0 ? 1 : 0);
    records.push(record);
    if ((index + 1) % 100 === 0) input.log?.(`portraits: ${index + 1}/${crops.length} faces`);
  }
  const buckets = [
    [0, 0.05],
    [0.05, 0.1],
    [0.1, 0.1501],
  ] as const;
  const byMargin = buckets.map(([low, high]) => {
    const list = records.filter((record) => record.margin >= low && record.margin < high);
    const found = list.filter((record) => record.detected);
    const right = (key: "photoPrediction" | "cropPrediction") =>
      found.filter((record) => record[key] === record.label).length / Math.max(1, found.length);
    return {
      margin: `${low}-${Math.round(high * 100) / 100}`,
      faces: list.length,
      detectionRate: round(found.length / Math.max(1, list.length)),
      gapPoints: round((right("photoPrediction") - right("cropPrediction")) * 100, 2),
    };
  });
  return { summary: { ...summarise(records, crops.length, extraBoxes), byMargin }, records };
}
