import { describe, expect, it } from "vitest";
import { resolveNetworkConfig, type DeepNetworkConfig } from "@moodlens/model";
import { loadNativeAddon, nativeSupport, trainingFlopsPerImage } from "../src/index";

const loaded = loadNativeAddon();

describe("@moodlens/native", () => {
  it("reports itself absent when disabled, without loading anything", () => {
    expect(loadNativeAddon({ disabled: true })).toEqual({ problem: "disabled (MOODLENS_NATIVE=off)" });
  });

  it("either loads or says why not", () => {
    expect(
      loaded.addon !== undefined || (typeof loaded.problem === "string" && loaded.problem.length > 0),
    ).toBe(true);
  });

  it("trains the deep family only", () => {
    expect(nativeSupport({ architecture: "compact" })).toEqual({
      problem: "it trains the deep (VGG-style) family only, not compact",
    });
    expect("config" in nativeSupport({ architecture: "deep" })).toBe(true);
  });

  it("counts 0.71 GFLOP per training image for the 48x48 VGG with blocks 32/64/128/256 and dense 256", () => {
    const config = resolveNetworkConfig({ architecture: "deep", inputPool: 1 }) as DeepNetworkConfig;
    expect(trainingFlopsPerImage(config) / 1e9).toBeCloseTo(0.71, 2);
    // Pooling the input by 2 quarters every convolution.
    const pooled = trainingFlopsPerImage({ ...config, inputPool: 2 });
    expect(pooled / trainingFlopsPerImage(config)).toBeGreaterThan(0.24);
    expect(pooled / trainingFlopsPerImage(config)).toBeLessThan(0.26);
  });

  it.skipIf(!loaded.addon)(
    `names oneDNN's version and the ISA its kernels use${loaded.problem ? ` (skipped: ${loaded.problem})` : ""}`,
    () => {
      expect(loaded.addon!.version()).toMatch(/^\d+\.\d+\.\d+$/);
      expect(loaded.addon!.isa().length).toBeGreaterThan(0);
    },
  );
});
