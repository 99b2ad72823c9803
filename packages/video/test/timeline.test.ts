import { describe, expect, it } from "vitest";
import { EMOTIONS, valenceOf, type Emotion, type FacePrediction } from "@moodlens/shared";
import {
  buildTimeline,
  createTracker,
  timelineFromSeconds,
  trackSeconds,
  type TimelineSecond,
  type TrackerOptions,
} from "../src";
import { box, face, probabilitiesOf } from "./fixtures";

/** Track A (happy) in view 0 .. 3.4 s on the left, track B (sad) 1.2 .. 4.9 s on the right. */
function twoPeople(seconds: number, bEmotion: (seconds: number) => Emotion = () => "sad"): FacePrediction[] {
  const faces: FacePrediction[] = [];
  if (seconds <= 3.4 + 1e-9) faces.push(face(box(100, 100), probabilitiesOf("happy")));
  if (seconds >= 1.2 - 1e-9 && seconds <= 4.9 + 1e-9)
    faces.push(face(box(500, 100), probabilitiesOf(bEmotion(seconds))));
  return faces;
}

function timelineAt(
  fps: number,
  options: TrackerOptions = {},
  bEmotion?: (seconds: number) => Emotion,
): TimelineSecond[] {
  const tracker = createTracker(options);
  for (let i = 0; i < 5 * fps; i++) tracker.update(i / fps, twoPeople(i / fps, bEmotion));
  return buildTimeline(tracker.finish(), 5);
}

const count = (emotion: Emotion, n: number) => EMOTIONS.map((e) => (e === emotion ? n : 0));
const sum = (a: number[], b: number[]) => a.map((value, i) => value + b[i]!);

describe("the counting rule: one face per track-second", () => {
  it("counts each track once per second it is visible in, at 2 fps and at 5 fps alike", () => {
    const at2 = timelineAt(2);
    const at5 = timelineAt(5);
    expect(at2.map((second) => second.faces)).toEqual([1, 2, 2, 2, 1]);
    expect(at5.map((second) => [second.faces, second.counts])).toEqual(
      at2.map((second) => [second.faces, second.counts]),
    );
    expect(at2.map((second) => second.counts)).toEqual([
      count("happy", 1),
      sum(count("happy", 1), count("sad", 1)),
      sum(count("happy", 1), count("sad", 1)),
      sum(count("happy", 1), count("sad", 1)),
      count("sad", 1),
    ]);
    const happyValence = valenceOf(probabilitiesOf("happy"));
    const sadValence = valenceOf(probabilitiesOf("sad"));
    expect(at2[0]!.meanValence).toBeCloseTo(happyValence, 12);
    expect(at2[2]!.meanValence).toBeCloseTo((happyValence + sadValence) / 2, 12);
    expect(at2[2]!.shares[EMOTIONS.indexOf("happy")]).toBe(0.5);
    // Over the video: 8 track-seconds (A: 0-3, B: 1-4), not 2 fps x 3.4 s + ... frames.
    expect(trackSeconds(createTrackerRun(2)).length).toBe(8);
  });

  it("gives each track-second the emotion of its smoothed probabilities in that second", () => {
    // B turns from sad to happy at 3 s; without smoothing the switch is exact.
    const timeline = timelineAt(5, { smoothing: { kind: "none" } }, (seconds) =>
      seconds < 3 ? "sad" : "happy",
    );
    expect(timeline[3]!.counts).toEqual(count("happy", 2));
    expect(timeline[4]!.counts).toEqual(count("happy", 1));
    // With smoothing the face stays sad for a moment, so second 3's mean of smoothed values differs from raw.
    const smoothed = timelineAt(5, { smoothing: { kind: "exponential", halfLifeSeconds: 2 } }, (seconds) =>
      seconds < 3 ? "sad" : "happy",
    );
    expect(smoothed[3]!.counts).toEqual(sum(count("happy", 1), count("sad", 1)));
  });

  it("has an entry for every second of the video, empty ones with 0 faces and no valence", () => {
    const timeline = buildTimeline([], 3.2);
    expect(timeline).toHaveLength(4);
    expect(timeline[3]).toEqual({
      second: 3,
      faces: 0,
      meanValence: null,
      counts: count("happy", 0),
      shares: count("happy", 0),
    });
    expect(() => buildTimeline([], Number.NaN)).toThrow(/duration/);
  });

  it("the live path (takeSeconds while running) gives the same track-seconds as the finished tracks", () => {
    const tracker = createTracker({ keepSeries: false });
    const live = [];
    for (let i = 0; i < 25; i++) {
      tracker.update(i / 5, twoPeople(i / 5));
      live.push(...tracker.takeSeconds());
    }
    tracker.finish();
    live.push(...tracker.takeSeconds());
    const fromTracks = trackSeconds(createTrackerRun(5));
    expect(live.sort((a, b) => a.second - b.second || a.trackIndex - b.trackIndex)).toEqual(fromTracks);
    expect(timelineFromSeconds(live, 5)).toEqual(timelineAt(5));
  });
});

function createTrackerRun(fps: number) {
  const tracker = createTracker();
  for (let i = 0; i < 5 * fps; i++) tracker.update(i / fps, twoPeople(i / fps));
  return tracker.finish();
}
