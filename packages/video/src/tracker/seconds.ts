import { dominantEmotion, valenceOf, type Box } from "@moodlens/shared";
import type { FaceTrack, TrackSecond } from "../types";

/** A track's frames in its current whole second, summed until the second is over. Plain data (snapshots). */
export interface PendingSecond {
  second: number;
  frames: number;
  sum: number[];
  box: Box;
  detectionScore: number;
}

export const startSecond = (
  second: number,
  probabilities: readonly number[],
  box: Box,
  detectionScore: number,
): PendingSecond => ({
  second,
  frames: 1,
  sum: [...probabilities],
  box: { ...box },
  detectionScore,
});

export function addToSecond(
  pending: PendingSecond,
  probabilities: readonly number[],
  box: Box,
  detectionScore: number,
): void {
  pending.frames += 1;
  for (let i = 0; i < pending.sum.length; i++) pending.sum[i]! += probabilities[i] ?? 0;
  pending.box = { ...box };
  pending.detectionScore = detectionScore;
}

export function closeSecond(trackIndex: number, pending: PendingSecond): TrackSecond {
  const probabilities = pending.sum.map((value) => value / pending.frames);
  return {
    trackIndex,
    second: pending.second,
    frames: pending.frames,
    probabilities,
    dominantEmotion: dominantEmotion(probabilities),
    valence: valenceOf(probabilities),
    box: pending.box,
    detectionScore: pending.detectionScore,
  };
}

/**
 * The counting rule's unit, from a finished track: one entry per whole second the track was seen in, whatever the
 * number of frames sampled in it. Computed exactly as the tracker does while running (same sums, same order).
 */
export function trackSecondsOf(track: FaceTrack): TrackSecond[] {
  const seconds: TrackSecond[] = [];
  let pending: PendingSecond | null = null;
  for (const point of track.series) {
    const second = Math.floor(point.seconds);
    if (pending && pending.second === second)
      addToSecond(pending, point.probabilities, point.box, point.detectionScore);
    else {
      if (pending) seconds.push(closeSecond(track.index, pending));
      pending = startSecond(second, point.probabilities, point.box, point.detectionScore);
    }
  }
  if (pending) seconds.push(closeSecond(track.index, pending));
  return seconds;
}
