import { readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  cropFace,
  decodeImage,
  type AnalyzedFace,
  type DecodedImage,
  type FaceAnalyzer,
} from "@moodlens/model";
import { matchFaces } from "@moodlens/model/evaluation";
import type { Box, Point } from "@moodlens/shared";
import { readHandBoxes } from "../data/hand-boxes";
import {
  COMPOSITION,
  composePhoto,
  type Composition,
  type BackgroundPhoto,
  type ComposedPhoto,
  type PlacedFace,
} from "./compose";
import { seededRandom, shuffled } from "./random";

/** One placed face and what the photo path made of it. */
export interface FaceRecord {
  /** Index into the crops given to the check. */
  face: number;
  label: number;
  placed: PlacedFace;
  /** Detection matched to this face (undefined: missed). */
  detected?: { box: Box; landmarks: Point[]; score: number };
  /** Argmax through the photo path, and through evaluate's path (the original 48x48 crop). */
  photoPrediction?: number;
  cropPrediction: number;
  /** The photo-path crop against the original 48x48 crop. */
  meanAbsoluteDifference?: number;
  correlation?: number;
}

export interface PhotoPathSummary {
  photos: number;
  faces: number;
  detected: number;
  detectionRate: number;
  /** Boxes that match no placed face (false detections). */
  extraBoxes: number;
  /** On the detected faces: accuracy through photos vs through their original crops (what `evaluate` computes). */
  photoPathAccuracy: number;
  evaluateAccuracy: number;
  /** photoPathAccuracy - evaluateAccuracy, in points (the gate: within 3). */
  gapPoints: number;
  /** Missed faces count as wrong here. */
  photoPathAccuracyAllFaces: number;
  evaluateAccuracyAllFaces: number;
  /** Same answer through both paths, on the detected faces. */
  agreement: number;
  crop: {
    meanAbsoluteDifference: number;
    meanCorrelation: number;
    medianCorrelation: number;
    correlationBelow08: number;
  };
  /** Accuracy gap and crop correlation by |rotation| in the photo. */
  byRotation: { degrees: string; faces: number; gapPoints: number; meanCorrelation: number }[];
}

const mean = (values: readonly number[]) =>
  values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
const round = (value: number, digits = 4) => Math.round(value * 10 ** digits) / 10 ** digits;
const argmax = (row: readonly number[]) => row.indexOf(Math.max(...row));

export function correlation(a: Uint8Array, b: Uint8Array): number {
  const [ma, mb] = [mean(Array.from(a)), mean(Array.from(b))];
  let [sab, saa, sbb] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    const [da, db] = [a[i]! - ma, b[i]! - mb];
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb);
}

export const meanAbsoluteDifference = (a: Uint8Array, b: Uint8Array) =>
  mean(Array.from(a, (value, i) => Math.abs(value - b[i]!)));

/** The placed face's 48x48 frame as an axis-aligned box (for centre-in-box matching). */
export const placedBox = (face: PlacedFace): Box => ({
  x: face.centreX - face.side / 2,
  y: face.centreY - face.side / 2,
  width: face.side,
  height: face.side,
});

/** The detection that holds this placed face (centre-in-box both ways), skipping `used` ones; -1: missed. */
export const matchPlaced = (
  faces: readonly AnalyzedFace[],
  placed: PlacedFace,
  used: ReadonlySet<number> = new Set(),
): number => faces.findIndex((face, j) => !used.has(j) && matchFaces([placedBox(placed)], [face.box]) === 1);

/** What the photo path made of a detected face: its detection, its answer and its served crop against the original. */
export async function detectedFields(
  analyzer: FaceAnalyzer,
  image: DecodedImage,
  face: AnalyzedFace,
  original: Uint8Array,
): Promise<
  Required<Pick<FaceRecord, "detected" | "photoPrediction" | "meanAbsoluteDifference" | "correlation">>
> {
  const crop = await cropFace(image, face, { margin: analyzer.info.margin });
  return {
    detected: { box: face.box, landmarks: face.landmarks, score: face.detectionScore },
    photoPrediction: argmax(face.probabilities),
    meanAbsoluteDifference: meanAbsoluteDifference(crop, original),
    correlation: correlation(crop, original),
  };
}

/**
 * The group photos as backgrounds: every face in them (hand-labelled, found by the analyzer, or too small to
 * classify) is marked so that no background area holds a face.
 */
export async function loadBackgrounds(analyzer: FaceAnalyzer, dir: string): Promise<BackgroundPhoto[]> {
  const hand = readHandBoxes(dir);
  const names = [
    ...new Set([...hand.keys(), ...readdirSync(dir).filter((name) => /\.jpe?g$/i.test(name))]),
  ].sort();
  const photos: BackgroundPhoto[] = [];
  for (const name of names) {
    const bytes = await readFile(join(dir, name));
    const image = await decodeImage(bytes);
    const found = await analyzer.analyze(bytes, { detect: { minFaceSize: 0, scoreThreshold: 0.3 } });
    const faces = [
      ...(hand.get(name) ?? []),
      ...found.faces.map((face) => face.box),
      ...found.skipped.map((face) => face.box),
    ];
    photos.push({ name, width: image.width, height: image.height, rgb: image.rgb, faces });
  }
  return photos;
}

/**
 * The synthetic photos of a check, in order: every crop is placed exactly once (a face that does not fit goes
 * first into the next photo). `faces[i]` is the crop index of `photo.faces[i]`. Deterministic from `seed`.
 */
export async function* composedPhotos(
  crops: readonly Uint8Array[],
  backgrounds: readonly BackgroundPhoto[],
  seed: number,
  composition: Composition = COMPOSITION,
): AsyncGenerator<{ photo: ComposedPhoto; faces: number[] }> {
  const random = seededRandom(seed);
  const queue = shuffled(
    crops.map((_, index) => index),
    random,
  );
  while (queue.length > 0) {
    const group = queue.splice(0, random.pick(composition.facesPerPhoto));
    const photo = await composePhoto(
      group.map((index) => crops[index]!),
      backgrounds,
      random,
      composition,
    );
    const placed = new Set(photo.faces.map((face) => face.face));
    queue.unshift(...group.filter((_, i) => !placed.has(i)));
    yield { photo, faces: photo.faces.map((face) => group[face.face]!) };
  }
}

export interface PhotoPathInput {
  analyzer: FaceAnalyzer;
  /** Original 48x48 gray crops (preprocessCrop of the FER-2013 files) and their labels (EMOTIONS indices). */
  crops: readonly Uint8Array[];
  labels: readonly number[];
  backgrounds: readonly BackgroundPhoto[];
  seed: number;
  log?: (line: string) => void;
}

/**
 * Lays the crops into synthetic photos (deterministic from `seed`), runs every photo through `analyzer.analyze`
 * (the path of the API's analyzeImage) and compares with classifying the original crops (`classifyFaces`, the path
 * of `evaluate`). Also re-cuts each detected face with the analyzer's crop rule to compare it with the original.
 */
export async function runPhotoPathCheck(
  input: PhotoPathInput,
): Promise<{ summary: PhotoPathSummary; records: FaceRecord[] }> {
  const { analyzer, crops, labels } = input;
  const cropRows = await analyzer.classifyFaces(crops);
  const records: FaceRecord[] = [];
  let photos = 0;
  let extraBoxes = 0;
  for await (const { photo, faces: placedCrops } of composedPhotos(crops, input.backgrounds, input.seed)) {
    photos++;
    const result = await analyzer.analyze(photo.bytes);
    const image = await decodeImage(photo.bytes);
    const used = new Set<number>();
    for (const [i, placed] of photo.faces.entries()) {
      const index = placedCrops[i]!;
      const match = matchPlaced(result.faces, placed, used);
      const record: FaceRecord = {
        face: index,
        label: labels[index]!,
        placed,
        cropPrediction: argmax(cropRows[index]!),
      };
      if (match >= 0) {
        used.add(match);
        Object.assign(record, await detectedFields(analyzer, image, result.faces[match]!, crops[index]!));
      }
      records.push(record);
    }
    extraBoxes += result.faces.length - used.size;
    if (photos % 50 === 0)
      input.log?.(`photo path: ${photos} photos, ${records.length}/${crops.length} faces`);
  }
  return { summary: summarise(records, photos, extraBoxes), records };
}

export function summarise(
  records: readonly FaceRecord[],
  photos: number,
  extraBoxes: number,
): PhotoPathSummary {
  const detected = records.filter((record) => record.detected);
  const accuracy = (list: readonly FaceRecord[], key: "photoPrediction" | "cropPrediction") =>
    list.length === 0
      ? Number.NaN
      : list.filter((record) => record[key] === record.label).length / list.length;
  const correlations = detected.map((record) => record.correlation!).sort((a, b) => a - b);
  const gap = (list: readonly FaceRecord[]) =>
    round((accuracy(list, "photoPrediction") - accuracy(list, "cropPrediction")) * 100, 2);
  const buckets = [
    [0, 5],
    [5, 10],
    [10, 15.01],
  ] as const;
  return {
    photos,
    faces: records.length,
    detected: detected.length,
    detectionRate: round(detected.length / records.length),
    extraBoxes,
    photoPathAccuracy: round(accuracy(detected, "photoPrediction")),
    evaluateAccuracy: round(accuracy(detected, "cropPrediction")),
    gapPoints: gap(detected),
    photoPathAccuracyAllFaces: round(accuracy(records, "photoPrediction")),
    evaluateAccuracyAllFaces: round(accuracy(records, "cropPrediction")),
    agreement: round(
      detected.filter((record) => record.photoPrediction === record.cropPrediction).length / detected.length,
    ),
    crop: {
      meanAbsoluteDifference: round(mean(detected.map((record) => record.meanAbsoluteDifference!)), 2),
      meanCorrelation: round(mean(correlations)),
      medianCorrelation: round(correlations[Math.floor(correlations.length / 2)] ?? Number.NaN),
      correlationBelow08: round(
        correlations.filter((value) => value < 0.8).length / Math.max(1, correlations.length),
      ),
    },
    byRotation: buckets.map(([low, high]) => {
      const list = detected.filter(
        (record) =>
          Math.abs(record.placed.angleDegrees) >= low && Math.abs(record.placed.angleDegrees) < high,
      );
      return {
        degrees: `${low}-${Math.round(high)}`,
        faces: list.length,
        gapPoints: gap(list),
        meanCorrelation: round(mean(list.map((record) => record.correlation!))),
      };
    }),
  };
}
