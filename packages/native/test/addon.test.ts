import { describe, expect, it } from "vitest";
import { resolveNetworkConfig, type DeepNetworkConfig } from "@moodlens/model";
import {
  bf16Problem,
  loadNativeAddon,
  NativeTrainingEngine,
  nativeSupport,
  trainingFlopsPerImage,
} from "../src/index";

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

  it("refuses bf16 up front on processors without AVX-512, with what to do", () => {
    expect(bf16Problem("avx2")).toMatch(/needs a processor with AVX-512.*avx2/);
    expect(bf16Problem("avx512_core_amx")).toBeUndefined();
    expect(bf16Problem("avx512_core_bf16")).toBeUndefined();
  });

  it.skipIf(!loaded.addon)(
    "refuses bf16 on this processor exactly when oneDNN has no bf16 kernels for it",
    () => {
      const config = resolveNetworkConfig({ architecture: "deep", inputPool: 1 }) as DeepNetworkConfig;
      const options = { replicas: 1, threadsPerReplica: 1, optimizer: "adam", momentum: 0.9 } as const;
      const create = () => new NativeTrainingEngine(loaded.addon!, config, { ...options, precision: "bf16" });
      if (bf16Problem(loaded.addon!.isa())) expect(create).toThrow(/--precision fp32|AVX-512/);
      else expect(create).not.toThrow();
      expect(
        () => new NativeTrainingEngine(loaded.addon!, config, { ...options, precision: "fp32" }),
      ).not.toThrow();
    },
  );

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
