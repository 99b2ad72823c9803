import { AppError, type FacePrediction } from "@moodlens/shared";
import { createTracker, type Tracker } from "./tracker/tracker";
import type { TrackerOptions } from "./tracker/config";
import type { TrackedFace, TrackSecond } from "./types";

export interface StreamRegistryOptions<Meta = unknown> {
  /** A stream without frames for this long is dropped with its tracks (default 30 s). */
  idleMs?: number;
  /** Streams kept at once over all keys; a new stream beyond it is refused with RATE_LIMITED (default 200). */
  maxStreams?: number;
  /** Tracker settings for every stream (keepSeries is always false: memory stays bounded). */
  tracker?: TrackerOptions;
  /** Clock for idleness, ms (tests pass their own; timestamps from clients are never used for it). */
  now?: () => number;
  /** Called with the last track-seconds of a stream that is evicted or closed (to record them). */
  onEvict?: (event: StreamEviction<Meta>) => void;
}

export interface StreamEviction<Meta = unknown> {
  key: string;
  streamId: string;
  reason: "idle" | "closed";
  seconds: TrackSecond[];
  /** What the last update passed as `meta` (e.g. whether and where the caller records the stream). */
  meta: Meta | undefined;
}

export interface StreamFrameResult {
  faces: TrackedFace[];
  /** Track-seconds that closed with this frame (for recording; empty most of the time). */
  seconds: TrackSecond[];
  /** true when this frame started the stream (first frame, or the first after it was evicted). */
  started: boolean;
}

export interface StreamRegistry<Meta = unknown> {
  /** Throws the error `update` would for this timestamp, before the caller spends time analysing the frame. */
  check(key: string, streamId: string, timestampMs: number): void;
  /**
   * Tracks this frame's faces in the stream of (key, streamId); `timestampMs` must increase within a stream.
   * `meta` is kept with the stream (the latest wins) and handed back when it is evicted.
   */
  update(
    key: string,
    streamId: string,
    timestampMs: number,
    faces: readonly FacePrediction[],
    meta?: Meta,
  ): StreamFrameResult;
  /** Ends a stream now; returns its last track-seconds (also given to onEvict). */
  close(key: string, streamId: string): TrackSecond[];
  /** Drops the streams idle for longer than idleMs (also done on every check/update). */
  sweep(): number;
  has(key: string, streamId: string): boolean;
  /** The meta kept with a stream (undefined when the stream is not kept). */
  metaOf(key: string, streamId: string): Meta | undefined;
  readonly size: number;
}

interface StreamState<Meta> {
  key: string;
  meta: Meta | undefined;
  streamId: string;
  tracker: Tracker;
  lastTimestampMs: number;
  lastUsedMs: number;
}

export const DEFAULT_STREAM_IDLE_MS = 30_000;
export const DEFAULT_MAX_STREAMS = 200;
export const MAX_STREAM_ID_LENGTH = 128;

export function createStreamRegistry<Meta = unknown>(
  options: StreamRegistryOptions<Meta> = {},
): StreamRegistry<Meta> {
  const idleMs = options.idleMs ?? DEFAULT_STREAM_IDLE_MS;
  const maxStreams = options.maxStreams ?? DEFAULT_MAX_STREAMS;
  const now = options.now ?? Date.now;
  if (!(idleMs > 0) || !(maxStreams >= 1))
    throw new AppError("CONFIG_INVALID", "stream registry: idleMs > 0 and maxStreams >= 1 are needed");
  const trackerOptions: TrackerOptions = { ...options.tracker, keepSeries: false };
  createTracker(trackerOptions); // fails now, not on the first frame, when the tracker settings are invalid
  // Insertion order = least recently used first: every use moves a stream to the end, so a sweep stops early.
  const streams = new Map<string, StreamState<Meta>>();
  const idOf = (key: string, streamId: string) => `${key}\u0000${streamId}`;

  const drop = (state: StreamState<Meta>, reason: StreamEviction["reason"]): TrackSecond[] => {
    streams.delete(idOf(state.key, state.streamId));
    state.tracker.finish();
    const seconds = state.tracker.takeSeconds();
    options.onEvict?.({ key: state.key, streamId: state.streamId, reason, seconds, meta: state.meta });
    return seconds;
  };

  const sweep = (): number => {
    const cutoff = now() - idleMs;
    let evicted = 0;
    for (const state of streams.values()) {
      if (state.lastUsedMs > cutoff) break;
      drop(state, "idle");
      evicted++;
    }
    return evicted;
  };

  const validate = (streamId: string, timestampMs: number, state: StreamState<Meta> | undefined): void => {
    if (streamId.length === 0 || streamId.length > MAX_STREAM_ID_LENGTH) {
      throw new AppError("BAD_USER_INPUT", `streamId must be 1 to ${MAX_STREAM_ID_LENGTH} characters`);
    }
    if (!Number.isFinite(timestampMs) || timestampMs < 0) {
      throw new AppError("BAD_USER_INPUT", `timestamp ${timestampMs} is not a number of milliseconds >= 0`);
    }
    if (state && timestampMs <= state.lastTimestampMs) {
      const what = timestampMs === state.lastTimestampMs ? "repeats" : "is before";
      throw new AppError(
        "BAD_USER_INPUT",
        `timestamp ${timestampMs} ms ${what} the stream's last frame (${state.lastTimestampMs} ms)`,
        {
          details: { streamId, timestamp: timestampMs, lastTimestamp: state.lastTimestampMs },
          hint: "send a stream's frames one after another with increasing timestamps (ms since the stream started)",
        },
      );
    }
    if (!state && streams.size >= maxStreams) {
      throw new AppError(
        "RATE_LIMITED",
        `too many live streams (${maxStreams}); try again when idle ones have expired`,
        {
          details: { maxStreams, idleMs },
          hint: "reuse one streamId per camera session",
        },
      );
    }
  };

  return {
    check(key, streamId, timestampMs) {
      sweep();
      validate(streamId, timestampMs, streams.get(idOf(key, streamId)));
    },
    update(key, streamId, timestampMs, faces, meta) {
      sweep();
      const id = idOf(key, streamId);
      let state = streams.get(id);
      validate(streamId, timestampMs, state);
      const started = !state;
      if (!state)
        state = {
          key,
          streamId,
          meta,
          tracker: createTracker(trackerOptions),
          lastTimestampMs: -1,
          lastUsedMs: 0,
        };
      const tracked = state.tracker.update(timestampMs / 1000, faces);
      state.lastTimestampMs = timestampMs;
      if (meta !== undefined) state.meta = meta;
      state.lastUsedMs = now();
      streams.delete(id);
      streams.set(id, state);
      return { faces: tracked, seconds: state.tracker.takeSeconds(), started };
    },
    close(key, streamId) {
      const state = streams.get(idOf(key, streamId));
      return state ? drop(state, "closed") : [];
    },
    sweep,
    has(key, streamId) {
      return streams.has(idOf(key, streamId));
    },
    metaOf(key, streamId) {
      return streams.get(idOf(key, streamId))?.meta;
    },
    get size() {
      return streams.size;
    },
  };
}
