import type { Box } from "@moodlens/shared";

export const area = (box: Box): number => Math.max(0, box.width) * Math.max(0, box.height);

export function intersection(a: Box, b: Box): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}

export function iou(a: Box, b: Box): number {
  const shared = intersection(a, b);
  return shared === 0 ? 0 : shared / (area(a) + area(b) - shared);
}

export const centreOf = (box: Box) => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });

export function containsPoint(box: Box, point: { x: number; y: number }): boolean {
  return (
    point.x >= box.x && point.x <= box.x + box.width && point.y >= box.y && point.y <= box.y + box.height
  );
}

/** Clips a box to the image; returns undefined when nothing is left. */
export function clipBox(box: Box, width: number, height: number): Box | undefined {
  const x = Math.max(0, box.x);
  const y = Math.max(0, box.y);
  const right = Math.min(width, box.x + box.width);
  const bottom = Math.min(height, box.y + box.height);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : undefined;
}

/**
 * A much smaller box centred on or right next to a kept face is an ear, eye or earring seen by a zoomed tile,
 * not another person: real faces do not sit inside the 1.5x surroundings of a face 2.5x their size.
 */
export function isFeatureOfFace(small: Box, face: Box): boolean {
  if (Math.max(small.width, small.height) * 2.5 > Math.max(face.width, face.height)) return false;
  const surroundings = {
    x: face.x - face.width * 0.25,
    y: face.y - face.height * 0.25,
    width: face.width * 1.5,
    height: face.height * 1.5,
  };
  return containsPoint(surroundings, centreOf(small));
}

/**
 * Greedy non-maximum suppression over candidates sorted by `rank` (default: score). A candidate is dropped when it
 * overlaps a kept one by more than `iouThreshold`, or when most of it (`containThreshold` of the smaller box) lies
 * inside a kept one: multi-scale passes produce nested boxes for one face whose IoU alone can be low.
 */
export function nonMaxSuppression<T extends { box: Box; score: number }>(
  candidates: readonly T[],
  iouThreshold: number,
  containThreshold: number,
  maxKept: number,
  rank: (candidate: T) => number = (candidate) => candidate.score,
): T[] {
  const sorted = [...candidates].sort((a, b) => rank(b) - rank(a));
  const kept: T[] = [];
  for (const candidate of sorted) {
    if (kept.length >= maxKept) break;
    const suppressed =
      kept.some((winner) => {
        const shared = intersection(winner.box, candidate.box);
        if (shared === 0) return false;
        const union = area(winner.box) + area(candidate.box) - shared;
        return (
          shared / union > iouThreshold ||
          shared / Math.min(area(winner.box), area(candidate.box)) > containThreshold
        );
      }) || kept.some((winner) => isFeatureOfFace(candidate.box, winner.box));
    if (!suppressed) kept.push(candidate);
  }
  return kept;
}
