import { AppError, EMOTIONS } from "@moodlens/shared";
import { trackSecondsOf } from "./tracker/seconds";
import type { FaceTrack, TimelineSecond, TrackSecond } from "./types";

/**
 * The counting rule (docs/video.md): a track visible in second s adds one face to second s, with the dominant
 * emotion of its mean smoothed probabilities in that second, however many frames were sampled. So 2 fps and 5 fps
 * sampling of the same video give the same counts, and a video's statistics weigh people-seconds, not frames.
 */
export function trackSeconds(tracks: readonly FaceTrack[]): TrackSecond[] {
  return tracks.flatMap(trackSecondsOf).sort((a, b) => a.second - b.second || a.trackIndex - b.trackIndex);
}

/** Per-second aggregates of track-seconds (from `trackSeconds` or a live tracker's `takeSeconds`). */
export function timelineFromSeconds(
  seconds: readonly TrackSecond[],
  durationSeconds: number,
): TimelineSecond[] {
  if (!Number.isFinite(durationSeconds) || durationSeconds < 0) {
    throw new AppError("BAD_USER_INPUT", `duration ${durationSeconds} is not a number of seconds >= 0`);
  }
  const lastSeen = seconds.reduce((max, entry) => Math.max(max, entry.second + 1), 0);
  const length = Math.max(Math.ceil(durationSeconds), lastSeen);
  const timeline: TimelineSecond[] = Array.from({ length }, (_, second) => ({
    second,
    faces: 0,
    meanValence: null,
    counts: new Array<number>(EMOTIONS.length).fill(0),
    shares: new Array<number>(EMOTIONS.length).fill(0),
  }));
  const valenceSums = new Array<number>(length).fill(0);
  for (const entry of seconds) {
    const slot = timeline[entry.second]!;
    slot.faces += 1;
    slot.counts[EMOTIONS.indexOf(entry.dominantEmotion)]! += 1;
    valenceSums[entry.second]! += entry.valence;
  }
  for (const slot of timeline) {
    if (slot.faces === 0) continue;
    slot.meanValence = valenceSums[slot.second]! / slot.faces;
    slot.shares = slot.counts.map((count) => count / slot.faces);
  }
  return timeline;
}

/** One entry per second of the video (0 .. ceil(duration) - 1), from the finished tracks. */
export const buildTimeline = (tracks: readonly FaceTrack[], durationSeconds: number): TimelineSecond[] =>
  timelineFromSeconds(trackSeconds(tracks), durationSeconds);
