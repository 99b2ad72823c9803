import type { Box } from "@moodlens/shared";

export interface MatchLimits {
  minIou: number;
  maxCentreDistance: number;
  maxSizeRatio: number;
}

export function iou(a: Box, b: Box): number {
  const x1 = Math.max(a.x, b.x);
  const y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.width, b.x + b.width);
  const y2 = Math.min(a.y + a.height, b.y + b.height);
  const intersection = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a.width * a.height + b.width * b.height - intersection;
  return union > 0 ? intersection / union : 0;
}

/** Distance between the box centres in units of the boxes' mean side. */
export function centreDistance(a: Box, b: Box): number {
  const dx = a.x + a.width / 2 - (b.x + b.width / 2);
  const dy = a.y + a.height / 2 - (b.y + b.height / 2);
  const side = (a.width + a.height + b.width + b.height) / 4;
  return side > 0 ? Math.hypot(dx, dy) / side : Number.POSITIVE_INFINITY;
}

/**
 * How well a face box fits a track's last box (higher is better), or null when they must not be linked.
 * Overlap counts most; centre distance lets fast or sparsely sampled faces link without overlap.
 */
export function matchScore(track: Box, face: Box, limits: MatchLimits): number | null {
  const areaRatio = (track.width * track.height) / Math.max(1e-9, face.width * face.height);
  const sizeRatio = Math.sqrt(Math.max(areaRatio, 1 / areaRatio));
  if (!(sizeRatio <= limits.maxSizeRatio)) return null;
  const overlap = iou(track, face);
  const distance = centreDistance(track, face);
  if (overlap < limits.minIou && distance > limits.maxCentreDistance) return null;
  return overlap + Math.max(0, 1 - distance / Math.max(limits.maxCentreDistance, 1e-9));
}

/**
 * Greedy assignment: best-scoring pairs first, each track and face used once. Ties break by track then face
 * index, so the result never depends on anything but the inputs (a resumed tracker must match identically).
 * Greedy instead of Hungarian: with the handful of faces in a frame, both agree except on contrived layouts.
 */
export function assign(
  tracks: readonly Box[],
  faces: readonly Box[],
  limits: MatchLimits,
): Map<number, number> {
  const pairs: { track: number; face: number; score: number }[] = [];
  tracks.forEach((trackBox, track) =>
    faces.forEach((faceBox, face) => {
      const score = matchScore(trackBox, faceBox, limits);
      if (score !== null) pairs.push({ track, face, score });
    }),
  );
  pairs.sort((a, b) => b.score - a.score || a.track - b.track || a.face - b.face);
  const faceToTrack = new Map<number, number>();
  const usedTracks = new Set<number>();
  for (const pair of pairs) {
    if (usedTracks.has(pair.track) || faceToTrack.has(pair.face)) continue;
    usedTracks.add(pair.track);
    faceToTrack.set(pair.face, pair.track);
  }
  return faceToTrack;
}
