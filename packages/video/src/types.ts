import type { Box, Emotion } from "@moodlens/shared";

/** What `probeVideo` learns from the file's header (and, for files without a duration in it, a stream copy). */
export interface VideoInfo {
  /** Displayed size: rotation metadata (phones) already applied, as the decoded frames come out. */
  width: number;
  height: number;
  durationSeconds: number;
  /** Frames per second of the file (not the sampling rate); null when the container does not say. */
  fps: number | null;
  /** ffmpeg's decoder name: h264, vp8, vp9, hevc, ... */
  codec: string;
  /** Container: mp4, mov, webm or matroska. */
  format: string;
  bytes: number;
  /** Degrees the frames are turned on decode (0, 90, 180, 270). */
  rotation: number;
}

/** Limits a caller enforces on a video before anything is decoded (documented in docs/video.md). */
export interface VideoLimits {
  maxBytes: number;
  maxDurationSeconds: number;
  /** width x height of one frame. */
  maxPixels: number;
}

/** A decoded frame: fits `DecodedImage` of @moodlens/model, so `analyzer.analyzeDecoded(frame.image)` takes it. */
export interface RawImage {
  width: number;
  height: number;
  channels: 3;
  /** 8-bit RGB, row-major, width * height * 3 bytes. */
  rgb: Uint8Array;
  format: "raw";
}

export interface SampledFrame {
  /** 0-based index of the sample: the frame at `index / sampleFps` seconds. */
  index: number;
  seconds: number;
  image: RawImage;
  /** image.width / video width (below 1 when maxSide scaled the frame down); boxes on `image` divide by it. */
  scale: number;
}

/** Tracker configuration; every field has a default (see DEFAULT_TRACKER_CONFIG). */
export interface TrackerConfig {
  /** A track ends when its face has not been seen for longer than this. */
  maxLostSeconds: number;
  /** Smallest box overlap (intersection over union) that links a face to a track on its own. */
  minIou: number;
  /**
   * Largest centre distance, in units of the mean box side, that links a face to a track without overlap
   * (fast motion or sparse sampling: at 2 fps a walking face moves more than its width).
   */
  maxCentreDistance: number;
  /** Boxes whose sizes differ by more than this factor never link (a small face is not a near big one). */
  maxSizeRatio: number;
  smoothing: SmoothingConfig;
  /**
   * Keep each track's series and the ended tracks (video jobs: `finish()` returns them). false for live
   * streams: memory stays bounded by the faces in view, and per-second aggregates leave via `takeSeconds()`.
   */
  keepSeries: boolean;
}

/**
 * How a track's probabilities are smoothed over time. exponential: time-aware exponential moving average,
 * a frame `dt` seconds after the last one weighs 1 - 0.5^(dt / halfLifeSeconds), so uneven gaps work;
 * window: mean of the raw probabilities of the last `windowSeconds`; none: smoothed = raw.
 */
export type SmoothingConfig =
  | { kind: "exponential"; halfLifeSeconds: number }
  | { kind: "window"; windowSeconds: number }
  | { kind: "none" };

/** One sampled instant of a track (GraphQL TrackPoint: emotions = probabilities, rawEmotions = rawProbabilities). */
export interface TrackPoint {
  seconds: number;
  box: Box;
  detectionScore: number;
  /** Smoothed, EMOTIONS order. */
  probabilities: number[];
  /** The frame's own probabilities, EMOTIONS order. */
  rawProbabilities: number[];
  /** From the smoothed probabilities. */
  dominantEmotion: Emotion;
  valence: number;
}

/** A face of the current frame with its track (GraphQL TrackedFace). */
export interface TrackedFace extends TrackPoint {
  /** Stable while the face stays in view; 0-based in order of first appearance (= FaceTrack.index). */
  trackId: number;
  /** Frames this track has been seen in, this one included. */
  frames: number;
}

/** One face followed across frames (GraphQL FaceTrack: emotions = probabilities). */
export interface FaceTrack {
  /** 0-based, in order of first appearance. */
  index: number;
  firstSeconds: number;
  lastSeconds: number;
  frames: number;
  /** Mean of the smoothed probabilities over the track, EMOTIONS order. */
  probabilities: number[];
  /** Most probable emotion of `probabilities`. */
  dominantEmotion: Emotion;
  meanValence: number;
  series: TrackPoint[];
}

/**
 * One track in one whole second: the unit the counting rule counts (docs/video.md). Its emotion is the dominant
 * emotion of the mean smoothed probabilities of the track's frames in that second.
 */
export interface TrackSecond {
  trackIndex: number;
  /** Whole second from the start (0-based): floor(seconds). */
  second: number;
  /** Sampled frames of the track in this second. */
  frames: number;
  /** Mean smoothed probabilities over those frames, EMOTIONS order. */
  probabilities: number[];
  dominantEmotion: Emotion;
  valence: number;
  /** Box of the track's last frame in this second. */
  box: Box;
  detectionScore: number;
}

/** One second of a video (GraphQL TimelineSecond: emotions = shares). */
export interface TimelineSecond {
  second: number;
  /** Tracks visible in this second, each counted once. */
  faces: number;
  /** Mean valence of those track-seconds; null when faces = 0. */
  meanValence: number | null;
  /** Track-seconds per dominant emotion, EMOTIONS order. */
  counts: number[];
  /** counts / faces (all 0 when faces = 0), EMOTIONS order. */
  shares: number[];
}
