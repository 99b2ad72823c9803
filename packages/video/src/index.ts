// Public API of @moodlens/video: ffmpeg decoding, face tracking with smoothing, per-second timelines, live streams.
// Test clip makers are in the "./testing" export (they need ffmpeg and the sample photos; never used at run time).
export * from "./types";
export { locateFfmpeg } from "./ffmpeg";
export { DEFAULT_VIDEO_LIMITS, SUPPORTED_CODECS, SUPPORTED_CONTAINERS } from "./limits";
export { probeVideo, type ProbeOptions } from "./probe";
export {
  sampleFrames,
  estimateSampledFrames,
  outputSize,
  MAX_SAMPLE_FPS,
  type SampleOptions,
} from "./sample";
export * from "./tracker";
export { buildTimeline, timelineFromSeconds, trackSeconds } from "./timeline";
export {
  createStreamRegistry,
  DEFAULT_MAX_STREAMS,
  DEFAULT_STREAM_IDLE_MS,
  MAX_STREAM_ID_LENGTH,
  type StreamEviction,
  type StreamFrameResult,
  type StreamRegistry,
  type StreamRegistryOptions,
} from "./streams";
