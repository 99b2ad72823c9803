import { describe, expect, it } from "vitest";
import { AppError } from "@moodlens/shared";
import { activeBackend, parseBackendPreference, selectBackend, tf } from "../src/backend";

async function expectConfigError(promise: Promise<unknown>, mentions: string) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe("CONFIG_INVALID");
  expect((error as AppError).message).toContain(mentions);
}

describe("backend selection", () => {
  it("auto skips the absent tfjs-node packages, lands on wasm and logs one line", async () => {
    const lines: string[] = [];
    const info = await selectBackend("auto", { logger: (line) => lines.push(line), forTraining: true });
    expect(info.name).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(info.requested).toBe("auto");
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(info.trainingKernels).toBe("registered");
    expect(info.fallbackReason).toContain("@tensorflow/tfjs-node");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("wasm");
    expect(activeBackend()).toEqual(info);

    // Same request again: same answer, no second log line.
    await selectBackend("auto", { logger: (line) => lines.push(line), forTraining: true });
    expect(lines).toHaveLength(1);
  });

  it("honours a forced cpu backend", async () => {
    const info = await selectBackend("cpu", { logger: () => {} });
    expect(info.name).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    expect(info.trainingKernels).toBe("native");
    await selectBackend("wasm", { logger: () => {} });
    expect(tf.getBackend()).toBe("wasm");
  });

  it("refuses a forced backend that cannot load, and unknown names", async () => {
    await expectConfigError(selectBackend("tensorflow", { logger: () => {} }), "tfjs-node");
    await expectConfigError(selectBackend("tensorflow-gpu", { logger: () => {} }), "tfjs-node-gpu");
    expect(() => parseBackendPreference("webgpu")).toThrow(AppError);
    expect(parseBackendPreference(undefined)).toBe("auto");
    expect(parseBackendPreference(" WASM ")).toBe("wasm");
  });

  it("reads no environment: MOODLENS_BACKEND is parsed by each app's env.ts (parseBackendPreference) and passed in", async () => {
    const previous = process.env.MOODLENS_BACKEND;
    try {
      process.env.MOODLENS_BACKEND = "cpu";
      expect((await selectBackend(undefined, { logger: () => {} })).requested).toBe("auto");
      expect(tf.getBackend()).toBe("wasm");
      expect(
        (await selectBackend(parseBackendPreference(process.env.MOODLENS_BACKEND), { logger: () => {} }))
          .name,
      ).toBe("cpu");
      expect(() => parseBackendPreference("quantum")).toThrow(/quantum/);
    } finally {
      if (previous === undefined) delete process.env.MOODLENS_BACKEND;
      else process.env.MOODLENS_BACKEND = previous;
      await selectBackend("wasm", { logger: () => {} });
    }
  });
});
