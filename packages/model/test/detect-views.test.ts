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
import { renderLevel, toNetworkInput, viewInput } from "../src/detect/views";
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
