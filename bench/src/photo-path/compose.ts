import sharp, { type OverlayOptions } from "sharp";
import type { Box } from "@moodlens/shared";
import type { Random } from "./random";

/** A photo the faces can be laid on: decoded RGB plus every face in it (those areas are never used as background). */
export interface BackgroundPhoto {
  name: string;
  width: number;
  height: number;
  rgb: Uint8Array;
  faces: readonly Box[];
}

/** Where one FER-2013 crop landed: its 48x48 frame's centre, side and clockwise rotation, in photo pixels. */
export interface PlacedFace {
  /** Index into the faces handed to `composePhoto`. */
  face: number;
  centreX: number;
  centreY: number;
  side: number;
  angleDegrees: number;
}

export interface ComposedPhoto {
  bytes: Buffer;
  width: number;
  height: number;
  background: BackgroundKind;
  jpegQuality: number;
  faces: PlacedFace[];
}

/**
 * What lies behind the faces: a face-free area of a real photo, colour noise, a gradient, a flat colour, or clutter
 * (overlapping shapes and lines with hard edges: a busy scene without a real photo, for the re-framed training crops).
 */
export type BackgroundKind = "photo" | "noise" | "gradient" | "flat" | "clutter";

/** The ranges the photos are drawn from (the issue: faces upscaled to 120-400 px, small in-plane rotations). */
export const COMPOSITION = {
  photoWidth: [480, 1280],
  photoHeight: [400, 1000],
  faceSide: [120, 400],
  maxAngleDegrees: 15,
  /** How many faces a photo gets, drawn from this list: 1 (60 %), 2 (25 %), 3 (15 %). */
  facesPerPhoto: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3],
  jpegQuality: [70, 95],
  /** The background of each photo is drawn from this list (a missing photo background falls back to a gradient). */
  backgroundKinds: ["photo", "photo", "noise", "gradient", "flat"],
  /** Free space kept around every placed face and around the faces of a background photo, as a share of its side. */
  clearance: 0.5,
} as const;

/** The ranges a composition is drawn from (COMPOSITION for the check; reframe.ts draws smaller photos). */
export interface Composition {
  photoWidth: readonly [number, number];
  photoHeight: readonly [number, number];
  faceSide: readonly [number, number];
  maxAngleDegrees: number;
  facesPerPhoto: readonly number[];
  jpegQuality: readonly [number, number];
  backgroundKinds: readonly BackgroundKind[];
  clearance: number;
}

const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const grown = (box: Box, share: number): Box => {
  const grow = Math.max(box.width, box.height) * share;
  return { x: box.x - grow, y: box.y - grow, width: box.width + 2 * grow, height: box.height + 2 * grow };
};

/** A random colour, not too dark nor too bright, so the faces keep some contrast with any background. */
const colour = (random: Random) =>
  [random.integer(20, 235), random.integer(20, 235), random.integer(20, 235)] as const;

function gradient(width: number, height: number, random: Random): Uint8Array {
  const [from, to] = [colour(random), colour(random)];
  const angle = random.between(0, 2 * Math.PI);
  const [dx, dy] = [Math.cos(angle), Math.sin(angle)];
  const span = Math.abs(dx) * width + Math.abs(dy) * height;
  const offset = Math.min(0, dx * width) + Math.min(0, dy * height);
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = (x * dx + y * dy - offset) / span;
      for (let c = 0; c < 3; c++)
        rgb[(y * width + x) * 3 + c] = Math.round(from[c]! + (to[c]! - from[c]!) * t);
    }
  }
  return rgb;
}

/** Blotchy colour noise: a coarse random grid enlarged smoothly, plus fine grain. */
async function noise(width: number, height: number, random: Random): Promise<Uint8Array> {
  const cell = random.integer(8, 48);
  const [gridWidth, gridHeight] = [Math.ceil(width / cell) + 1, Math.ceil(height / cell) + 1];
  const grid = Uint8Array.from({ length: gridWidth * gridHeight * 3 }, () => random.integer(0, 255));
  const smooth = await sharp(grid, { raw: { width: gridWidth, height: gridHeight, channels: 3 } })
    .resize(width, height, { kernel: "cubic", fit: "fill" })
    .raw()
    .toBuffer();
  const grain = random.integer(0, 24);
  return Uint8Array.from(smooth, (value) =>
    Math.max(0, Math.min(255, value + Math.round((random.next() - 0.5) * grain))),
  );
}

/**
 * A busy synthetic scene: 20-60 rectangles, ellipses and thick lines of random colours and opacity over a random
 * base colour, softened a little and grained, so the detector and the crop rule meet edges and texture around a
 * face as in real photos (furniture, shelves, clothes) without any real photo or face in it.
 */
async function clutter(width: number, height: number, random: Random): Promise<Uint8Array> {
  const fill = () => `rgb(${colour(random).join(",")})`;
  const shapes: string[] = [];
  const count = random.integer(20, 60);
  for (let i = 0; i < count; i++) {
    const [x, y] = [random.integer(0, width), random.integer(0, height)];
    const [w, h] = [random.integer(8, width / 2), random.integer(8, height / 2)];
    const opacity = random.between(0.4, 1).toFixed(2);
    const shape = random.pick(["rect", "ellipse", "line"] as const);
    if (shape === "rect")
      shapes.push(
        `<rect x="${x - w / 2}" y="${y - h / 2}" width="${w}" height="${h}" fill="${fill()}" opacity="${opacity}"/>`,
      );
    else if (shape === "ellipse")
      shapes.push(
        `<ellipse cx="${x}" cy="${y}" rx="${w / 2}" ry="${h / 2}" fill="${fill()}" opacity="${opacity}"/>`,
      );
    else
      shapes.push(
        `<line x1="${x}" y1="${y}" x2="${random.integer(0, width)}" y2="${random.integer(0, height)}" stroke="${fill()}" stroke-width="${random.integer(2, 24)}" opacity="${opacity}"/>`,
      );
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="${fill()}"/>${shapes.join("")}</svg>`;
  const sigma = random.between(0.3, 2);
  const pixels = await sharp(Buffer.from(svg)).removeAlpha().blur(sigma).raw().toBuffer();
  const grain = random.integer(0, 16);
  return Uint8Array.from(pixels, (value) =>
    Math.max(0, Math.min(255, value + Math.round((random.next() - 0.5) * grain))),
  );
}

/** How many candidate areas are drawn per background (always all of them: see photoRegion). */
const BACKGROUND_CANDIDATES = 60;

/**
 * A face-free part of a background photo with the canvas' aspect ratio, resized to the canvas; undefined if none found.
 * All candidates are drawn before any is checked, so the random stream does not depend on where the background
 * photos' faces are (the detector marks those; a box that flips near its threshold changes only this photo).
 */
async function photoRegion(
  width: number,
  height: number,
  photos: readonly BackgroundPhoto[],
  random: Random,
): Promise<Uint8Array | undefined> {
  const candidates = Array.from({ length: BACKGROUND_CANDIDATES }, () => ({
    photo: random.pick(photos),
    size: random.between(0.25, 1),
    x: random.next(),
    y: random.next(),
  }));
  for (const { photo, size, x, y } of candidates) {
    const maxWidth = Math.min(photo.width, (photo.height * width) / height);
    const regionWidth = Math.floor(maxWidth * size);
    const regionHeight = Math.floor((regionWidth * height) / width);
    if (regionWidth < 32 || regionHeight < 32) continue;
    const region = {
      x: Math.floor(x * (photo.width - regionWidth + 1)),
      y: Math.floor(y * (photo.height - regionHeight + 1)),
      width: regionWidth,
      height: regionHeight,
    };
    if (photo.faces.some((face) => overlaps(grown(face, COMPOSITION.clearance), region))) continue;
    const pixels = await sharp(photo.rgb, { raw: { width: photo.width, height: photo.height, channels: 3 } })
      .extract({ left: region.x, top: region.y, width: region.width, height: region.height })
      .resize(width, height, { kernel: "cubic", fit: "fill" })
      .raw()
      .toBuffer();
    return new Uint8Array(pixels);
  }
  return undefined;
}

/** The 48x48 gray crop enlarged (bicubic, like a camera photo of a face at that size would look) and rotated. */
async function faceLayer(crop: Uint8Array, side: number, angleDegrees: number) {
  const { data, info } = await sharp(crop, { raw: { width: 48, height: 48, channels: 1 } })
    .resize(side, side, { kernel: "cubic" })
    .toColourspace("srgb")
    .ensureAlpha()
    .rotate(angleDegrees, { background: { r: 0, g: 0, b: 0, alpha: 0 } })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/**
 * One synthetic photo: a background (a face-free area of a real photo, colour noise, a gradient or a flat colour),
 * 1-3 of the given 48x48 crops enlarged to 120-400 px, rotated by up to ±15° and placed apart, saved as JPEG.
 * Everything is drawn from `random`, so a seed gives the same photo. Faces that do not fit are left out (their
 * indices are missing from `faces`).
 */
export async function composePhoto(
  crops: readonly Uint8Array[],
  backgrounds: readonly BackgroundPhoto[],
  random: Random,
  composition: Composition = COMPOSITION,
): Promise<ComposedPhoto> {
  const width = random.integer(composition.photoWidth[0], composition.photoWidth[1]);
  const height = random.integer(composition.photoHeight[0], composition.photoHeight[1]);
  const kind = random.pick(composition.backgroundKinds);
  let background: ComposedPhoto["background"] = kind;
  let rgb =
    kind === "photo" && backgrounds.length > 0
      ? await photoRegion(width, height, backgrounds, random)
      : undefined;
  if (kind === "noise") rgb = await noise(width, height, random);
  if (kind === "clutter") rgb = await clutter(width, height, random);
  if (kind === "flat") {
    const fill = colour(random);
    rgb = Uint8Array.from({ length: width * height * 3 }, (_, i) => fill[i % 3]!);
  }
  if (!rgb) {
    background = "gradient";
    rgb = gradient(width, height, random);
  }

  const taken: Box[] = [];
  const faces: PlacedFace[] = [];
  const layers: OverlayOptions[] = [];
  for (let index = 0; index < crops.length; index++) {
    const angleDegrees = random.between(-composition.maxAngleDegrees, composition.maxAngleDegrees);
    const maxSide = Math.min(composition.faceSide[1], Math.floor(Math.min(width, height) / 1.45));
    const side = random.integer(Math.min(composition.faceSide[0], maxSide), maxSide);
    const layer = await faceLayer(crops[index]!, side, angleDegrees);
    for (let attempt = 0; attempt < 40; attempt++) {
      const left = random.integer(0, width - layer.width);
      const top = random.integer(0, height - layer.height);
      const area = { x: left, y: top, width: layer.width, height: layer.height };
      if (taken.some((box) => overlaps(grown(box, composition.clearance / 2), area))) continue;
      taken.push(area);
      layers.push({
        input: layer.data,
        raw: { width: layer.width, height: layer.height, channels: 4 },
        left,
        top,
      });
      // sharp rotates about the image centre and grows the canvas to the rotated bounds: the centre stays the centre.
      faces.push({
        face: index,
        centreX: left + layer.width / 2,
        centreY: top + layer.height / 2,
        side,
        angleDegrees,
      });
      break;
    }
  }
  const jpegQuality = random.integer(composition.jpegQuality[0], composition.jpegQuality[1]);
  const bytes = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .composite(layers)
    .jpeg({ quality: jpegQuality })
    .toBuffer();
  return { bytes, width, height, background, jpegQuality, faces };
}
