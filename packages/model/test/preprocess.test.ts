import { describe, expect, it } from "vitest";
import sharp from "sharp";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { FER_VAL_DIR } from "./group-photos";
import { AppError } from "@moodlens/shared";
import { selectBackend, tf } from "../src/backend";
import {
  DEFAULT_MAX_INPUT_PIXELS,
  INPUT_SIZE,
  NORMALIZATION,
  cropFace,
  cropFrame,
  decodeImage,
  inspectImage,
  preprocessCrop,
  toModelInput,
} from "../src/preprocess";
import {
  animatedGif,
  cmykJpeg,
  encodedRedBlue,
  exifRotatedJpeg,
  hugePng,
  randomBytes,
  redBlue,
  sixteenBitPng,
  transparentPng,
} from "./fixtures";

const pixel = (image: { width: number; rgb: Uint8Array }, x: number, y: number) =>
  Array.from(image.rgb.subarray((y * image.width + x) * 3, (y * image.width + x) * 3 + 3));

async function expectAppError(promise: Promise<unknown>, code: string, message?: RegExp) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  if (message) expect((error as AppError).message).toMatch(message);
}

describe("decodeImage", () => {
  it.each(["jpeg", "png", "webp", "gif", "tiff", "avif"] as const)(
    "decodes %s to 8-bit RGB",
    async (format) => {
      const image = await decodeImage(await encodedRedBlue(format));
      expect(image).toMatchObject({ width: 64, height: 40, channels: 3, format });
      expect(image.rgb.length).toBe(64 * 40 * 3);
      const [r, , b] = pixel(image, 5, 20);
      expect(r).toBeGreaterThan(150);
      expect(b).toBeLessThan(80);
      const [r2, , b2] = pixel(image, 60, 20);
      expect(b2).toBeGreaterThan(150);
      expect(r2).toBeLessThan(80);
    },
  );

  it("applies EXIF orientation", async () => {
    const image = await decodeImage(await exifRotatedJpeg());
    // Orientation 6 = rotate 90° clockwise: the red left half ends up on top.
    expect([image.width, image.height]).toEqual([40, 64]);
    expect(pixel(image, 20, 5)[0]).toBeGreaterThan(150);
    expect(pixel(image, 20, 60)[2]).toBeGreaterThan(150);
  });

  it("converts CMYK JPEG and 16-bit PNG to 8-bit sRGB", async () => {
    for (const buffer of [await cmykJpeg(), await sixteenBitPng()]) {
      const image = await decodeImage(buffer);
      expect(image.rgb.length).toBe(64 * 40 * 3);
      const [r, g, b] = pixel(image, 5, 20);
      expect(r).toBeGreaterThan(150);
      expect(g).toBeLessThan(90);
      expect(b).toBeLessThan(90);
    }
    const meta = await sharp(await sixteenBitPng()).metadata();
    expect(meta.depth).toBe("ushort"); // the fixture really is 16-bit
  });

  it("flattens transparency onto white", async () => {
    const image = await decodeImage(await transparentPng());
    expect(pixel(image, 10, 10)).toEqual([255, 255, 255]);
  });

  it("takes the first frame of an animated GIF", async () => {
    const gif = await animatedGif();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    const image = await decodeImage(gif);
    expect([image.width, image.height]).toEqual([32, 32]);
    const [r, g] = pixel(image, 16, 16);
    expect(r).toBeGreaterThan(150);
    expect(g).toBeLessThan(80);
  });

  it("rejects empty, random, truncated and unsupported input with UNSUPPORTED_IMAGE", async () => {
    await expectAppError(decodeImage(Buffer.alloc(0)), "UNSUPPORTED_IMAGE", /empty/);
    await expectAppError(decodeImage(randomBytes(5000)), "UNSUPPORTED_IMAGE", /not an image/);
    const jpeg = await redBlue(256, 256).jpeg().toBuffer();
    await expectAppError(
      decodeImage(jpeg.subarray(0, Math.floor(jpeg.length / 2))),
      "UNSUPPORTED_IMAGE",
      /truncated|corrupt/,
    );
    const png = await redBlue(256, 256).png().toBuffer();
    await expectAppError(decodeImage(png.subarray(0, Math.floor(png.length / 2))), "UNSUPPORTED_IMAGE");
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
    );
    await expectAppError(decodeImage(svg), "UNSUPPORTED_IMAGE", /unsupported image format "svg"/);
  });

  it("rejects a 20000x20000 decompression bomb from its header, without decoding it", async () => {
    const bomb = hugePng(20_000);
    expect(bomb.length).toBeLessThan(200_000);
    const before = process.memoryUsage().rss;
    await expectAppError(decodeImage(bomb), "PAYLOAD_TOO_LARGE", /20000x20000/);
    await expectAppError(preprocessCrop(bomb), "PAYLOAD_TOO_LARGE");
    // Decoding would allocate >= 400 MB (1.2 GB as RGB); rejecting from the header allocates next to nothing.
    expect(process.memoryUsage().rss - before).toBeLessThan(150 * 1024 * 1024);
  });

  it("honours a configurable pixel limit", async () => {
    const png = await encodedRedBlue("png");
    await expectAppError(decodeImage(png, { maxInputPixels: 1000 }), "PAYLOAD_TOO_LARGE");
    expect(DEFAULT_MAX_INPUT_PIXELS).toBeGreaterThanOrEqual(12_000_000);
  });

  it("decodes bytes whose header was already inspected the same way, and libvips still holds the pixel limit", async () => {
    const png = await encodedRedBlue("png");
    const header = await inspectImage(png);
    expect(header).toEqual({ format: "png", width: 64, height: 40 });
    const inspected = await decodeImage({ bytes: png, header });
    const plain = await decodeImage(png);
    expect(inspected).toMatchObject({ width: 64, height: 40, format: "png" });
    expect(Buffer.from(inspected.rgb).equals(Buffer.from(plain.rgb))).toBe(true);
    // A header that understates the size does not open the door to a bomb: the decoder's own limit refuses it.
    await expectAppError(
      decodeImage({ bytes: hugePng(20_000), header: { format: "png", width: 1, height: 1 } }),
      "PAYLOAD_TOO_LARGE",
    );
  });
});

describe("cropFace", () => {
  it("returns a 48x48 grayscale crop of the box", async () => {
    const image = await decodeImage(await redBlue(200, 100).png().toBuffer());
    const crop = await cropFace(image, { x: 10, y: 30, width: 40, height: 40 }, { margin: 0 });
    expect(crop).toBeInstanceOf(Uint8Array);
    expect(crop.length).toBe(INPUT_SIZE * INPUT_SIZE);
    // Entirely in the red half: uniform gray equal to red's luma.
    const values = new Set(crop);
    expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(2);
  });

  it("grows the box by the margin and pads at the borders", async () => {
    // Box straddling the red/blue border; with a large margin the crop also leaves the image on the left.
    const image = await decodeImage(await redBlue(200, 100).png().toBuffer());
    const tight = await cropFace(image, { x: 80, y: 30, width: 40, height: 40 }, { margin: 0 });
    const wide = await cropFace(image, { x: 0, y: 0, width: 60, height: 60 }, { margin: 1 });
    expect(tight.length).toBe(48 * 48);
    expect(wide.length).toBe(48 * 48);
    // Tight crop: left half red-gray, right half blue-gray, differing.
    expect(Math.abs(tight[24 * 48 + 2]! - tight[24 * 48 + 45]!)).toBeGreaterThan(20);
    // The padded corner replicates the image edge (red) rather than going black.
    expect(wide[0]).toBe(wide[48 * 24 + 20]);
  });

  it("is the same computation as preprocessCrop (training and serving cannot drift)", async () => {
    const png = await redBlue(120, 120).png().toBuffer();
    const viaDetector = await cropFrame(await decodeImage(png), {
      centreX: 60,
      centreY: 60,
      side: 120,
      angle: 0,
    });
    const viaDataset = await preprocessCrop(png);
    expect(Array.from(viaDataset)).toEqual(Array.from(viaDetector));
  });

  it("rejects invalid boxes", async () => {
    const image = await decodeImage(await encodedRedBlue("png"));
    await expectAppError(cropFace(image, { x: 0, y: 0, width: 0, height: 10 }), "BAD_USER_INPUT");
    await expectAppError(cropFace(image, { x: Number.NaN, y: 0, width: 10, height: 10 }), "BAD_USER_INPUT");
  });
});

describe("preprocessCrop", () => {
  const ferDir = join(FER_VAL_DIR, "happy");

  it("keeps a FER-2013 48x48 crop pixel-for-pixel, from a path or a buffer", async () => {
    const file = join(ferDir, readdirSync(ferDir).find((name) => name.endsWith(".jpg"))!);
    const expected = await sharp(file).toColourspace("b-w").raw().toBuffer();
    expect(expected.length).toBe(48 * 48);
    const fromPath = await preprocessCrop(file);
    expect(Array.from(fromPath)).toEqual(Array.from(expected));
    const fromBuffer = await preprocessCrop(await sharp(file).toBuffer());
    expect(fromBuffer.length).toBe(48 * 48);
  });

  it("squares, grays and resizes larger colour crops", async () => {
    const crop = await preprocessCrop(await redBlue(200, 100).jpeg().toBuffer());
    expect(crop.length).toBe(48 * 48);
    // Centre square of a red|blue image is still red on the left, blue on the right.
    expect(Math.abs(crop[24 * 48 + 2]! - crop[24 * 48 + 45]!)).toBeGreaterThan(20);
  });

  it("reports bad files with the path", async () => {
    await expectAppError(
      preprocessCrop("/nonexistent/file.jpg"),
      "UNSUPPORTED_IMAGE",
      /\/nonexistent\/file.jpg/,
    );
    await expectAppError(preprocessCrop(Buffer.alloc(0)), "UNSUPPORTED_IMAGE", /empty/);
    await expectAppError(preprocessCrop(randomBytes(100)), "UNSUPPORTED_IMAGE");
  });
});

describe("toModelInput", () => {
  it("builds float32 [N,48,48,1] = pixel/255", async () => {
    await selectBackend(undefined, { logger: () => {} });
    expect(NORMALIZATION).toBe("divide255");
    const a = new Uint8Array(48 * 48).fill(255);
    const b = new Uint8Array(48 * 48);
    b[47] = 51;
    const before = tf.memory().numTensors;
    const input = toModelInput([a, b]);
    expect(input.shape).toEqual([2, 48, 48, 1]);
    expect(input.dtype).toBe("float32");
    const values = input.dataSync();
    expect(values[0]).toBe(1);
    expect(values[48 * 48 + 47]).toBeCloseTo(0.2, 6);
    input.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("rejects crops of the wrong size", () => {
    expect(() => toModelInput([new Uint8Array(10)])).toThrow(/expected 2304/);
  });
});
