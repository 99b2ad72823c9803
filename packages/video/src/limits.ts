import type { VideoLimits } from "./types";

/**
 * Defaults for uploads (docs/video.md): 512 MiB, 30 minutes, 4K UHD frames. A 30-minute video at 2 fps is 3,600
 * analysed frames; larger jobs belong in several uploads so that a failure or a cancel loses less.
 */
export const DEFAULT_VIDEO_LIMITS: Readonly<VideoLimits> = Object.freeze({
  maxBytes: 512 * 1024 * 1024,
  maxDurationSeconds: 30 * 60,
  maxPixels: 3840 * 2160,
});

/** Containers accepted (ffmpeg demuxer names as `ffmpeg -i` prints them). */
export const SUPPORTED_CONTAINERS = ["mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"] as const;
/** Video codecs accepted (ffmpeg decoder names). */
export const SUPPORTED_CODECS = ["h264", "hevc", "vp8", "vp9", "av1", "mpeg4", "prores"] as const;
