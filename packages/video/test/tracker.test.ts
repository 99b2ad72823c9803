import { describe, expect, it } from "vitest";
import { AppError, type FacePrediction } from "@moodlens/shared";
import { createTracker, restoreTracker, type TrackedFace, type TrackerOptions } from "../src";
import { box, face, flips, probabilitiesOf } from "./fixtures";

const happy = probabilitiesOf("happy");
const sad = probabilitiesOf("sad");

/** Two people walking right at 80 px/s (60 px apart vertically), a third entering at 2 s and leaving at 4 s. */
function scene(seconds: number): FacePrediction[] {
  const faces = [face(box(50 + 80 * seconds, 50), happy), face(box(400 - 80 * seconds, 250), sad)];
  if (seconds >= 2 && seconds <= 4)
    faces.push(face(box(600, 50 + 20 * seconds, 60), probabilitiesOf(seconds < 3 ? "surprise" : "neutral")));
  return faces;
}

const times = (fps: number, duration: number) =>
  Array.from({ length: Math.floor(duration * fps) }, (_, i) => i / fps);

describe("tracker: linking faces", () => {
  it("keeps one id per moving face, also when faces cross and a third comes and goes", () => {
    const tracker = createTracker();
    const ids = new Map<number, Set<number>>();
    for (const t of times(4, 6)) {
      const tracked = tracker.update(t, scene(t));
      tracked.forEach((trackedFace, i) => ids.set(i, (ids.get(i) ?? new Set()).add(trackedFace.trackId)));
    }
    expect([...ids.get(0)!]).toEqual([0]);
    expect([...ids.get(1)!]).toEqual([1]);
    expect([...ids.get(2)!]).toEqual([2]);
    const tracks = tracker.finish();
    expect(tracks.map((track) => [track.index, track.frames, track.firstSeconds, track.lastSeconds])).toEqual(
      [
        [0, 24, 0, 5.75],
        [1, 24, 0, 5.75],
        [2, 9, 2, 4],
      ],
    );
    expect(tracks[0]!.dominantEmotion).toBe("happy");
    expect(tracks[1]!.dominantEmotion).toBe("sad");
    expect(tracks[0]!.meanValence).toBeGreaterThan(0);
    expect(tracks[1]!.meanValence).toBeLessThan(0);
    expect(tracks[2]!.series.map((point) => point.seconds)).toEqual([
      2, 2.25, 2.5, 2.75, 3, 3.25, 3.5, 3.75, 4,
    ]);
  });

  it("links a face that moves more than its width between sparse frames by centre distance", () => {
    const tracker = createTracker();
    const ids = [0, 1, 2, 3].map((i) => tracker.update(i, [face(box(120 * i, 100), happy)])[0]!.trackId);
    expect(ids).toEqual([0, 0, 0, 0]);
    // ... but not a face across the frame, nor one of a very different size at the same place.
    expect(tracker.update(4, [face(box(900, 100), happy)])[0]!.trackId).toBe(1);
    expect(tracker.update(5, [face(box(900, 100, 300), happy)])[0]!.trackId).toBe(2);
  });

  it("ends a track after maxLostSeconds unseen: the face coming back later is a new track", () => {
    const tracker = createTracker({ maxLostSeconds: 1 });
    expect(tracker.update(0, [face(box(0, 0), happy)])[0]!.trackId).toBe(0);
    tracker.update(0.5, []);
    expect(tracker.update(1, [face(box(0, 0), happy)])[0]!.trackId).toBe(0); // lost 1 s: still the same track
    tracker.update(1.5, []);
    tracker.update(2.1, []);
    expect(tracker.activeTracks).toBe(0); // 1.1 s unseen
    expect(tracker.update(2.5, [face(box(0, 0), happy)])[0]!.trackId).toBe(1);
    expect(tracker.finish().map((track) => track.frames)).toEqual([2, 1]);
  });

  it("keeps the tracks of a slow live client (frames 1.5 s apart) while the face is in every frame", () => {
    const tracker = createTracker({ maxLostSeconds: 1 });
    const ids = [0, 1.5, 3, 4.5].map(
      (t) => tracker.update(t, [face(box(100 + 10 * t, 100), happy)])[0]!.trackId,
    );
    expect(ids).toEqual([0, 0, 0, 0]);
    tracker.update(6, []); // missing 1.5 s after it was last seen: ended
    expect(tracker.activeTracks).toBe(0);
    expect(tracker.update(7.5, [face(box(145, 100), happy)])[0]!.trackId).toBe(1);
  });

  it("refuses frames out of order or at the same time, and malformed faces", () => {
    const tracker = createTracker();
    tracker.update(1, []);
    for (const seconds of [1, 0.5, Number.NaN]) {
      expect(() => tracker.update(seconds, [])).toThrow(AppError);
    }
    expect(() => tracker.update(2, [face(box(0, 0, 0), happy)])).toThrow(/positive size/);
    expect(() => tracker.update(2, [face(box(0, 0), [0.5, 0.5])])).toThrow(/7 probabilities/);
    expect(() => createTracker({ smoothing: { kind: "exponential", halfLifeSeconds: 0 } })).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID" }),
    );
  });
});

describe("tracker: smoothing", () => {
  /** A face whose raw label flickers between neutral and happy (as per-frame predictions do on real video). */
  const flicker = (i: number) =>
    i % 3 === 1
      ? probabilitiesOf("happy", 0.5, "neutral", 0.4)
      : probabilitiesOf("neutral", 0.5, "happy", 0.4);

  const run = (options: TrackerOptions, fps = 5, frames = 30): TrackedFace[] => {
    const tracker = createTracker(options);
    return Array.from(
      { length: frames },
      (_, i) => tracker.update(i / fps, [face(box(100, 100), flicker(i))])[0]!,
    );
  };

  it("removes single-frame label flips (exponential by default, windowed on request) and keeps the raw values", () => {
    const raw = run({ smoothing: { kind: "none" } });
    const exponential = run({});
    const windowed = run({ smoothing: { kind: "window", windowSeconds: 1 } });
    const rawFlips = flips(raw.map((f) => f.dominantEmotion));
    expect(rawFlips).toBeGreaterThanOrEqual(18);
    expect(flips(exponential.map((f) => f.dominantEmotion))).toBe(0);
    // The window starts with two frames (a tie on frame 1), then holds.
    expect(flips(windowed.map((f) => f.dominantEmotion))).toBeLessThanOrEqual(2);
    expect(exponential.every((f) => f.dominantEmotion === "neutral")).toBe(true);
    // Raw values are kept next to the smoothed ones.
    expect(exponential.map((f) => f.rawProbabilities)).toEqual(raw.map((f) => f.probabilities));
  });

  it("weighs frames by the time since the last one, so uneven gaps give the same result as even ones", () => {
    const halfLife = createTracker({ smoothing: { kind: "exponential", halfLifeSeconds: 1 } });
    halfLife.update(0, [face(box(0, 0), sad)]);
    const afterOneHalfLife = halfLife.update(1, [face(box(0, 0), happy)])[0]!.probabilities;
    afterOneHalfLife.forEach((p, i) => expect(p).toBeCloseTo((sad[i]! + happy[i]!) / 2, 12));

    // Two 0.5 s steps towards the same value end where one 1 s step does.
    const steps = createTracker({ smoothing: { kind: "exponential", halfLifeSeconds: 1 } });
    steps.update(0, [face(box(0, 0), sad)]);
    steps.update(0.5, [face(box(0, 0), happy)]);
    const twoSteps = steps.update(1, [face(box(0, 0), happy)])[0]!.probabilities;
    const oneStep = createTracker({ smoothing: { kind: "exponential", halfLifeSeconds: 1 } });
    oneStep.update(0, [face(box(0, 0), sad)]);
    const direct = oneStep.update(1, [face(box(0, 0), happy)])[0]!.probabilities;
    twoSteps.forEach((p, i) => expect(p).toBeCloseTo(direct[i]!, 12));
    // A frame-count EMA would have moved further with two frames than with one.
    const oneFrame = createTracker({ smoothing: { kind: "exponential", halfLifeSeconds: 1 } });
    oneFrame.update(0, [face(box(0, 0), sad)]);
    const short = oneFrame.update(0.5, [face(box(0, 0), happy)])[0]!.probabilities;
    expect(short[3]!).toBeLessThan(direct[3]!);
  });
});

describe("tracker: snapshots", () => {
  it("a tracker restored from a JSON snapshot mid-video gives exactly the output of an uninterrupted run", () => {
    for (const smoothing of [
      { kind: "exponential", halfLifeSeconds: 0.5 },
      { kind: "window", windowSeconds: 1 },
    ] as const) {
      const frames = times(3, 6);
      const whole = createTracker({ smoothing });
      const wholeOutputs = frames.map((t) => [whole.update(t, scene(t)), whole.takeSeconds()]);
      const wholeTracks = whole.finish();

      const first = createTracker({ smoothing });
      const cut = 8; // 2.67 s: the third face is in view, the first seconds are closed
      const outputs = frames.slice(0, cut).map((t) => [first.update(t, scene(t)), first.takeSeconds()]);
      const stored = JSON.stringify(first.snapshot());
      const resumed = restoreTracker(JSON.parse(stored));
      outputs.push(...frames.slice(cut).map((t) => [resumed.update(t, scene(t)), resumed.takeSeconds()]));
      expect(outputs).toEqual(wholeOutputs);
      expect(resumed.finish()).toEqual(wholeTracks);
    }
    expect(() => restoreTracker({ version: 2 } as never)).toThrow(AppError);
  });
});
