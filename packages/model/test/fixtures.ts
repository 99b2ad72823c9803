// Test images made on the fly with sharp (nothing binary is committed).
import sharp from "sharp";
import { deflateSync } from "node:zlib";

/** 64x40 RGB: left half red, right half blue, so orientation and colour are both checkable. */
export function redBlueRaw(width = 64, height = 40): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 3;
      if (x < width / 2) pixels[offset] = 220;
      else pixels[offset + 2] = 220;
    }
  }
  return pixels;
}

/** A fixed linear congruential stream of uint32s (Numerical Recipes constants): the same numbers on every machine. */
export function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
}

export const redBlue = (width = 64, height = 40) =>
  sharp(redBlueRaw(width, height), { raw: { width, height, channels: 3 } });

export async function encodedRedBlue(
  format: "jpeg" | "png" | "webp" | "gif" | "tiff" | "avif",
): Promise<Buffer> {
  const image = redBlue();
  switch (format) {
    case "jpeg":
      return image.jpeg({ quality: 95 }).toBuffer();
    case "png":
      return image.png().toBuffer();
    case "webp":
      return image.webp({ lossless: true }).toBuffer();
    case "gif":
      return image.gif().toBuffer();
    case "tiff":
      return image.tiff().toBuffer();
    case "avif":
      return image.avif({ quality: 90, effort: 0 }).toBuffer();
  }
}

/** JPEG whose pixels are stored sideways with EXIF orientation 6 (display = rotate 90° clockwise). */
export const exifRotatedJpeg = () => redBlue().jpeg().withMetadata({ orientation: 6 }).toBuffer();

export const cmykJpeg = () => redBlue().toColourspace("cmyk").jpeg().toBuffer();

export const sixteenBitPng = () => redBlue().toColourspace("rgb16").png().toBuffer();

/** Semi-transparent RGBA PNG: alpha 0 everywhere, so decoding must show the white background. */
export const transparentPng = () =>
  sharp({ create: { width: 20, height: 20, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .png()
    .toBuffer();

/** Two-frame animated GIF: frame 1 solid red, frame 2 solid green. */
export async function animatedGif(width = 32, height = 32): Promise<Buffer> {
  const frame = width * height * 4;
  const pixels = Buffer.alloc(frame * 2);
  for (let i = 0; i < width * height; i++) {
    pixels.set([230, 0, 0, 255], i * 4);
    pixels.set([0, 230, 0, 255], frame + i * 4);
  }
  return sharp(pixels, { raw: { width, height: height * 2, channels: 4, pageHeight: height } })
    .gif({ delay: [100, 100], loop: 0 })
    .toBuffer();
}

/** Gradient without any face: a valid image on which a detector must find nothing. */
export function gradientPng(width = 320, height = 240): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      pixels.set([Math.round((255 * x) / width), Math.round((255 * y) / height), 128], (y * width + x) * 3);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes: Buffer) => {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
};
const pngChunk = (type: string, data: Buffer) => {
  const typeAndData = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
};

/**
 * A valid, fully decodable 1-bit PNG of `side` x `side` pixels (400 MP at 20000) in ~60 kB:
 * a decompression bomb. Decoding it to RGB would need 1.2 GB.
 */
export function hugePng(side = 20_000): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // grayscale
  const rowBytes = 1 + Math.ceil(side / 8);
  const idat = deflateSync(Buffer.alloc(rowBytes * side), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", idat),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Deterministic pseudo-random bytes (not an image). */
export function randomBytes(length: number, seed = 42): Buffer {
  const out = Buffer.alloc(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    out[i] = state >> 16;
  }
  return out;
}
