import { describe, expect, it } from "vitest";
import { AppError } from "@moodlens/shared";
import { createStreamRegistry, type StreamEviction } from "../src";
import { box, face, probabilitiesOf } from "./fixtures";

const happy = [face(box(100, 100), probabilitiesOf("happy"))];

/** A registry on a clock the test moves by hand (idleness is never measured in real time here). */
function registryWithClock(options: { idleMs?: number; maxStreams?: number } = {}) {
  let now = 0;
  const evicted: StreamEviction<{ record: boolean }>[] = [];
  const registry = createStreamRegistry<{ record: boolean }>({
    ...options,
    now: () => now,
    onEvict: (event) => evicted.push(event),
  });
  return { registry, evicted, advance: (ms: number) => (now += ms) };
}

describe("stream registry", () => {
  it("keeps one tracker per key and stream: track ids continue within a stream and start at 0 in another", () => {
    const { registry } = registryWithClock();
    expect(registry.update("key-a", "cam", 0, happy)).toMatchObject({
      started: true,
      faces: [{ trackId: 0, frames: 1 }],
    });
    expect(registry.update("key-a", "cam", 100, happy)).toMatchObject({
      started: false,
      faces: [{ trackId: 0, frames: 2 }],
    });
    expect(
      registry
        .update("key-a", "cam", 200, [...happy, face(box(500, 100), probabilitiesOf("sad"))])
        .faces.map((f) => f.trackId),
    ).toEqual([0, 1]);
    // The same stream id under another key is another stream (keys never see each other's state).
    expect(registry.update("key-b", "cam", 50, happy)).toMatchObject({
      started: true,
      faces: [{ trackId: 0, frames: 1 }],
    });
    expect(registry.size).toBe(2);
  });

  it("refuses repeated and out-of-order timestamps with a clear error, before any analysis (check)", () => {
    const { registry } = registryWithClock();
    registry.update("k", "s", 1000, happy);
    for (const timestamp of [1000, 999]) {
      let error: unknown;
      try {
        registry.check("k", "s", timestamp);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).message).toMatch(timestamp === 1000 ? /repeats/ : /is before/);
      expect(() => registry.update("k", "s", timestamp, happy)).toThrow(AppError);
    }
    expect(() => registry.check("k", "", 0)).toThrow(/streamId/);
    expect(() => registry.check("k", "s2", -1)).toThrow(/timestamp/);
    expect(() => registry.check("k", "s", 1001)).not.toThrow();
  });

  it("evicts idle streams with their last track-seconds, and a returning stream starts afresh", () => {
    const { registry, evicted, advance } = registryWithClock({ idleMs: 1000 });
    registry.update("k", "old", 0, happy);
    registry.update("k", "old", 600, happy, { record: true });
    advance(500);
    registry.update("k", "busy", 0, happy);
    advance(600); // "old" idle 1100 ms, "busy" 600 ms
    expect(registry.sweep()).toBe(1);
    expect(registry.has("k", "old")).toBe(false);
    expect(registry.has("k", "busy")).toBe(true);
    expect(registry.metaOf("k", "old")).toBeUndefined();
    expect(evicted).toEqual([
      {
        key: "k",
        streamId: "old",
        reason: "idle",
        meta: { record: true },
        seconds: [expect.objectContaining({ trackIndex: 0, second: 0, frames: 2, dominantEmotion: "happy" })],
      },
    ]);
    // A new frame of the evicted stream starts a new tracker (its timestamps may start over too).
    expect(registry.update("k", "old", 0, happy)).toMatchObject({
      started: true,
      faces: [{ trackId: 0, frames: 1 }],
    });
  });

  it("bounds memory: at most maxStreams streams, a new one beyond is refused until one expires", () => {
    const { registry, advance } = registryWithClock({ idleMs: 1000, maxStreams: 2 });
    registry.update("k", "a", 0, happy);
    registry.update("k", "b", 0, happy);
    expect(() => registry.update("k", "c", 0, happy)).toThrow(
      expect.objectContaining({ code: "RATE_LIMITED" }),
    );
    registry.update("k", "a", 10, happy); // existing streams go on
    advance(1001);
    expect(registry.update("k", "c", 0, happy).started).toBe(true);
    expect(registry.size).toBe(1);
  });

  it("returns track-seconds as they close, and the rest on close()", () => {
    const { registry } = registryWithClock();
    const closed = [0, 400, 800, 1200, 1600].flatMap((ms) => registry.update("k", "s", ms, happy).seconds);
    expect(closed).toEqual([expect.objectContaining({ second: 0, frames: 3 })]);
    expect(registry.close("k", "s")).toEqual([expect.objectContaining({ second: 1, frames: 2 })]);
    expect(registry.size).toBe(0);
  });
});
