import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeImage } from "../src/preprocess";
import { planPasses } from "../src/detect";
import {
  outputsFromRows,
  BLAZEFACE_ANCHOR_COUNT,
  BLAZEFACE_VALUES_PER_ANCHOR,
} from "../src/detect/blazeface-model";
import { nonMaxSuppression } from "../src/detect";
import { borderPass } from "../src/detect/passes";
import {
  borderViewPixels,
  renderFixedView,
  renderLevel,
  toNetworkInput,
  viewInput,
} from "../src/detect/views";
import { GROUP_PHOTOS_DIR } from "./group-photos";

/** Bit-for-bit equality of two float arrays (vitest's deep equality is slow on 400 k values). */
const sameBits = (a: Float32Array, b: Float32Array) =>
  a.length === b.length &&
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

const plan = {
  inputSize: 256,
  minDetectableInput: 16,
  minFaceSize: 24,
  overlap: 0.25,
  maxLevels: 4,
  maxUpscale: 2,
  maxViewSide: 384,
};

describe("detector views", () => {
  it("cuts flexible views straight into the float input the pixel-by-pixel conversion gives (bit for bit)", async () => {
    const image = await decodeImage(readFileSync(join(GROUP_PHOTOS_DIR, "two_people.jpg")));
    const passes = planPasses(image.width, image.height, plan);
    const finest = Math.max(...passes.map((pass) => pass.scale));
    const raster = await renderLevel(image, finest);
    const views = passes.filter((pass) => pass.scale === finest);
    expect(views.length).toBeGreaterThan(1);
    for (const pass of views) {
      // The reference: the view as 8-bit RGB on a black canvas, then v / 127.5 - 1 value by value.
      const pixels = new Uint8Array(pass.inputWidth * pass.inputHeight * 3);
      const left = Math.round(pass.left * pass.scale);
      const top = Math.round(pass.top * pass.scale);
      for (let y = 0; y < Math.min(pass.inputHeight, raster.height - top); y++) {
        const from = ((top + y) * raster.width + left) * 3;
        pixels.set(
          raster.rgb.subarray(from, from + Math.min(pass.inputWidth, raster.width - left) * 3),
          y * pass.inputWidth * 3,
        );
      }
      const expected = Float32Array.from(pixels, (value) => value / 127.5 - 1);
      expect(sameBits(viewInput(raster, pass), expected)).toBe(true);
      expect(sameBits(toNetworkInput(pixels), expected)).toBe(true);
    }
  });

  it("pads views that reach past the raster with black (-1)", () => {
    const raster = { rgb: new Uint8Array(3 * 2 * 3).fill(255), width: 3, height: 2 };
    const pass = {
      left: 0,
      top: 0,
      width: 3,
      height: 2,
      scale: 1,
      level: 1,
      inputWidth: 4,
      inputHeight: 3,
      maxFaceInput: 64,
    };
    const input = viewInput(raster, pass);
    const at = (x: number, y: number) => Array.from(input.subarray((y * 4 + x) * 3, (y * 4 + x) * 3 + 3));
    expect(at(2, 1)).toEqual([1, 1, 1]);
    expect(at(3, 0)).toEqual([-1, -1, -1]);
    expect(at(0, 2)).toEqual([-1, -1, -1]);
  });

  it("plans the border view: the whole image plus a margin of its longer side all round, level 0", () => {
    const passes = planPasses(300, 200, { ...plan, borderMargin: 0.25 });
    expect(passes).toHaveLength(2);
    const border = passes.find((pass) => pass.border)!;
    expect(border).toMatchObject({ left: -75, top: -75, width: 450, height: 350, level: 0 });
    expect(border.scale).toBeCloseTo(256 / 450, 6);
    // Flexible: the smallest multiples of 32 holding the region (256 x 199 input px); fixed: 256 x 256.
    expect([border.inputWidth, border.inputHeight]).toEqual([256, 224]);
    const fixed = borderPass(300, 200, { ...plan, maxViewSide: undefined }, 0.25);
    expect([fixed.inputWidth, fixed.inputHeight]).toEqual([256, 256]);
    expect(planPasses(300, 200, plan).some((pass) => pass.border)).toBe(false);
  });

  it("fills the border view with the image's edge pixels, never black", async () => {
    // A 4x2 image: column x has value 10 * (x + 1), row 1 adds 100.
    const rgb = Uint8Array.from({ length: 4 * 2 * 3 }, (_, i) => {
      const pixel = Math.floor(i / 3);
      return 10 * ((pixel % 4) + 1) + (pixel >= 4 ? 100 : 0);
    });
    const pass = { ...borderPass(4, 2, { ...plan, inputSize: 8 }, 0.5), inputWidth: 9, inputHeight: 7 };
    expect(pass).toMatchObject({ left: -2, top: -2, scale: 1 });
    const pixels = borderViewPixels({ rgb, width: 4, height: 2 }, pass);
    const at = (x: number, y: number) => pixels[(y * 9 + x) * 3]!;
    expect(at(0, 0)).toBe(10); // above-left of the image: its top-left pixel
    expect(at(2, 2)).toBe(10); // the image's own top-left pixel
    expect(at(5, 3)).toBe(140); // the image's bottom-right pixel
    expect(at(8, 6)).toBe(140); // past the region, up to the input size: still the nearest edge pixel
    expect(at(3, 6)).toBe(120);
    expect(Array.from(viewInput({ rgb, width: 4, height: 2 }, pass).subarray(0, 3))).toEqual(
      Array.from(toNetworkInput(pixels.subarray(0, 3))),
    );
    // The fixed (tfjs) engine renders the same view from the image.
    const image = { rgb, width: 4, height: 2 } as Parameters<typeof renderFixedView>[0];
    expect(Array.from(await renderFixedView(image, pass))).toEqual(Array.from(pixels));
  });

  it("keeps the best-ranked of overlapping boxes: the score, or the rank it is given (the border view's big faces)", () => {
    const plainBox = { box: { x: 0, y: 0, width: 100, height: 100 }, score: 0.9, border: false };
    const borderBox = { box: { x: 5, y: 5, width: 100, height: 100 }, score: 0.8, border: true };
    expect(nonMaxSuppression([borderBox, plainBox], 0.3, 0.5, 10)).toEqual([plainBox]);
    const rank = (candidate: typeof plainBox) => candidate.score + (candidate.border ? 1 : 0);
    expect(nonMaxSuppression([plainBox, borderBox], 0.3, 0.5, 10, rank)).toEqual([borderBox]);
  });

  it("splits 17-value rows into per-grid logits and regressors (tfjs engine)", () => {
    const raw = Float32Array.from(
      { length: BLAZEFACE_ANCHOR_COUNT * BLAZEFACE_VALUES_PER_ANCHOR },
      (_, index) => index,
    );
    const { grids } = outputsFromRows(raw);
    expect(grids.map((grid) => grid.logits.length)).toEqual([512, 384]);
    expect(grids[0]!.logits[1]).toBe(17);
    expect(Array.from(grids[0]!.regressors.subarray(16, 18))).toEqual([18, 19]);
    expect(grids[1]!.logits[0]).toBe(512 * 17);
    expect(grids[1]!.regressors[0]).toBe(512 * 17 + 1);
  });
});
