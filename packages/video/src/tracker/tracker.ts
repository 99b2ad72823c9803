import {
  AppError,
  EMOTIONS,
  dominantEmotion,
  valenceOf,
  type Box,
  type FacePrediction,
} from "@moodlens/shared";
import type { FaceTrack, TrackedFace, TrackerConfig, TrackPoint, TrackSecond } from "../types";
import { resolveTrackerConfig, type TrackerOptions } from "./config";
import { assign } from "./matching";
import { addToSecond, closeSecond, startSecond, type PendingSecond } from "./seconds";
import { emptySmoothingState, smooth, type SmoothingState } from "./smoothing";

/** A track still in view (or lost for less than maxLostSeconds). Plain data: part of the snapshot. */
interface ActiveTrack {
  index: number;
  firstSeconds: number;
  lastSeconds: number;
  frames: number;
  box: Box;
  smoothing: SmoothingState;
  /** Sum of the smoothed probabilities over every frame, for the track's mean. */
  smoothedSum: number[];
  /** Empty unless config.keepSeries. */
  series: TrackPoint[];
  pending: PendingSecond | null;
}

/** Everything a tracker knows, as JSON-safe data: store it, and `restoreTracker` continues exactly where it was. */
export interface TrackerSnapshot {
  version: 1;
  config: TrackerConfig;
  nextIndex: number;
  lastSeconds: number | null;
  active: ActiveTrack[];
  /** Ended tracks (only with keepSeries). */
  ended: FaceTrack[];
  /** Closed track-seconds not yet taken with takeSeconds(). */
  outbox: TrackSecond[];
}

export interface Tracker {
  readonly config: Readonly<TrackerConfig>;
  /**
   * Links this frame's faces to tracks and smooths their probabilities. Call it for every sampled frame, also
   * those without faces (time passing is what ends lost tracks). `seconds` must increase strictly.
   * Returns the faces in the order given, each with its track.
   */
  update(seconds: number, faces: readonly FacePrediction[]): TrackedFace[];
  /** Ends every track; returns all tracks in index order (without keepSeries: only those ended now, series empty). */
  finish(): FaceTrack[];
  /** Track-seconds closed since the last call (a second closes when its track moves on to a later one or ends). */
  takeSeconds(): TrackSecond[];
  /** Tracks currently followed. */
  readonly activeTracks: number;
  snapshot(): TrackerSnapshot;
}

export function createTracker(options: TrackerOptions = {}): Tracker {
  const config = resolveTrackerConfig(options);
  return trackerFrom({
    version: 1,
    config,
    nextIndex: 0,
    lastSeconds: null,
    active: [],
    ended: [],
    outbox: [],
  });
}

/** A tracker continuing from a snapshot: the same outputs as if it had never stopped. */
export function restoreTracker(snapshot: TrackerSnapshot): Tracker {
  if (!snapshot || snapshot.version !== 1 || !Array.isArray(snapshot.active)) {
    throw new AppError("BAD_USER_INPUT", "not a tracker snapshot (version 1)");
  }
  const state = structuredClone(snapshot);
  state.config = resolveTrackerConfig(state.config);
  return trackerFrom(state);
}

function toFaceTrack(track: ActiveTrack): FaceTrack {
  const probabilities = track.smoothedSum.map((value) => value / track.frames);
  return {
    index: track.index,
    firstSeconds: track.firstSeconds,
    lastSeconds: track.lastSeconds,
    frames: track.frames,
    probabilities,
    dominantEmotion: dominantEmotion(probabilities),
    meanValence: valenceOf(probabilities),
    series: track.series,
  };
}

function checkFace(face: FacePrediction, i: number): void {
  const { box, probabilities } = face;
  const finite = [box.x, box.y, box.width, box.height, ...probabilities].every(Number.isFinite);
  if (!finite || box.width <= 0 || box.height <= 0 || probabilities.length !== EMOTIONS.length) {
    throw new AppError(
      "BAD_USER_INPUT",
      `face ${i}: a box with a positive size and ${EMOTIONS.length} probabilities are needed`,
    );
  }
}

function trackerFrom(state: TrackerSnapshot): Tracker {
  const { config } = state;

  const end = (track: ActiveTrack): FaceTrack => {
    if (track.pending) state.outbox.push(closeSecond(track.index, track.pending));
    track.pending = null;
    const faceTrack = toFaceTrack(track);
    if (config.keepSeries) state.ended.push(faceTrack);
    return faceTrack;
  };

  const follow = (track: ActiveTrack, seconds: number, face: FacePrediction): TrackedFace => {
    const probabilities = smooth(config.smoothing, track.smoothing, seconds, face.probabilities);
    const point: TrackPoint = {
      seconds,
      box: { ...face.box },
      detectionScore: face.detectionScore,
      probabilities,
      rawProbabilities: [...face.probabilities],
      dominantEmotion: dominantEmotion(probabilities),
      valence: valenceOf(probabilities),
    };
    track.frames += 1;
    track.lastSeconds = seconds;
    track.box = { ...face.box };
    for (let i = 0; i < track.smoothedSum.length; i++) track.smoothedSum[i]! += probabilities[i]!;
    if (config.keepSeries) track.series.push(point);
    const second = Math.floor(seconds);
    if (track.pending && track.pending.second === second)
      addToSecond(track.pending, probabilities, face.box, face.detectionScore);
    else {
      if (track.pending) state.outbox.push(closeSecond(track.index, track.pending));
      track.pending = startSecond(second, probabilities, face.box, face.detectionScore);
    }
    return { ...point, trackId: track.index, frames: track.frames };
  };

  return {
    config,
    get activeTracks() {
      return state.active.length;
    },
    update(seconds, faces) {
      if (!Number.isFinite(seconds) || seconds < 0)
        throw new AppError("BAD_USER_INPUT", `frame time ${seconds} is not a time >= 0`);
      if (state.lastSeconds !== null && seconds <= state.lastSeconds) {
        throw new AppError(
          "BAD_USER_INPUT",
          `frame time ${seconds} s is not after the previous frame's ${state.lastSeconds} s`,
          {
            details: { seconds, previousSeconds: state.lastSeconds },
            hint: "send frames in order, each with a later timestamp",
          },
        );
      }
      faces.forEach(checkFace);
      state.lastSeconds = seconds;
      const faceToTrack = assign(
        state.active.map((track) => track.box),
        faces.map((face) => face.box),
        config,
      );
      // A track ends when a frame comes without its face more than maxLostSeconds after it was last seen. Judged on
      // frames that miss it, not on the gap alone: a live client sending a frame every 1.5 s keeps its tracks.
      const matched = new Set(faceToTrack.values());
      const previous = state.active;
      state.active = previous.filter((track, t) => {
        if (matched.has(t) || seconds - track.lastSeconds <= config.maxLostSeconds) return true;
        end(track);
        return false;
      });
      return faces.map((face, i) => {
        const t = faceToTrack.get(i);
        let track = t === undefined ? undefined : previous[t];
        if (!track) {
          track = {
            index: state.nextIndex++,
            firstSeconds: seconds,
            lastSeconds: seconds,
            frames: 0,
            box: { ...face.box },
            smoothing: emptySmoothingState(),
            smoothedSum: new Array<number>(EMOTIONS.length).fill(0),
            series: [],
            pending: null,
          };
          state.active.push(track);
        }
        return follow(track, seconds, face);
      });
    },
    finish() {
      const endedNow = state.active.map(end);
      state.active = [];
      const tracks = config.keepSeries ? state.ended : endedNow.map((track) => ({ ...track, series: [] }));
      return [...tracks].sort((a, b) => a.index - b.index);
    },
    takeSeconds() {
      const taken = state.outbox;
      state.outbox = [];
      return taken;
    },
    snapshot() {
      return structuredClone(state);
    },
  };
}
