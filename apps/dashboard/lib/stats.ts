/**
 * Turns the API's statistics into what the overview shows: KPIs with their change, chart rows and top movers.
 * Pure functions, tested in test/stats.test.ts.
 */
import {
  EMOTIONS,
  NEGATIVE_EMOTIONS,
  POSITIVE_EMOTIONS,
  fromEmotionEnum,
  type Emotion,
} from "@moodlens/shared";
import type { BreakdownGroup, EmotionCount, EmotionStatsBucket, PeriodTotals } from "./api/types";
import type { Filters } from "./filters";

/** The API's AnalysisFilter for the chosen filters (dates as ISO instants, empty lists left out). */
export function toAnalysisFilter(
  filters: Pick<Filters, "from" | "to" | "sources" | "campaigns" | "timezone"> &
    Partial<Pick<Filters, "demo" | "kinds">>,
) {
  return {
    from: filters.from.toISOString(),
    to: filters.to.toISOString(),
    timezone: filters.timezone,
    ...(filters.sources.length ? { sources: filters.sources } : {}),
    ...(filters.campaigns.length ? { campaigns: filters.campaigns } : {}),
    // The API's `demo: false` leaves demo rows out; unset keeps both.
    ...(filters.demo === "hide" ? { demo: false } : {}),
    // No kinds: every kind (and an API without video support still answers).
    ...(filters.kinds?.length ? { kinds: filters.kinds.map((kind) => kind.toUpperCase()) } : {}),
  };
}

/** The same filter narrowed to demo rows only: how many of them the view holds (or would hold). */
export function toDemoOnlyFilter(
  filters: Pick<Filters, "from" | "to" | "sources" | "campaigns" | "timezone"> &
    Partial<Pick<Filters, "kinds">>,
) {
  return { ...toAnalysisFilter(filters), demo: true };
}

export type EmotionRecord = Record<Emotion, number>;

const zeroRecord = (): EmotionRecord =>
  Object.fromEntries(EMOTIONS.map((emotion) => [emotion, 0])) as EmotionRecord;

export function countsByEmotion(counts: readonly EmotionCount[]): EmotionRecord {
  const record = zeroRecord();
  for (const entry of counts) record[fromEmotionEnum(entry.emotion)] += entry.count;
  return record;
}

/** Shares from counts (not from the API's share field) so that totals and shares can never disagree. */
export function sharesByEmotion(counts: readonly EmotionCount[]): EmotionRecord {
  const record = countsByEmotion(counts);
  const total = EMOTIONS.reduce((sum, emotion) => sum + record[emotion], 0);
  const shares = zeroRecord();
  if (total > 0) for (const emotion of EMOTIONS) shares[emotion] = record[emotion] / total;
  return shares;
}

const groupShare = (shares: EmotionRecord, group: readonly Emotion[]) =>
  group.reduce((sum, emotion) => sum + shares[emotion], 0);

export interface Kpi {
  value: number | null;
  previous: number | null;
  /** value - previous (absolute; for counts also see `relativeChange`). */
  change: number | null;
  relativeChange: number | null;
}

export interface OverviewKpis {
  faces: Kpi;
  positiveShare: Kpi;
  negativeShare: Kpi;
  meanValence: Kpi;
}

function kpi(value: number | null, previous: number | null): Kpi {
  const change = value != null && previous != null ? value - previous : null;
  const relativeChange = change != null && previous ? change / previous : null;
  return { value, previous, change, relativeChange };
}

export function computeKpis(current: PeriodTotals, previous: PeriodTotals | null): OverviewKpis {
  const currentShares = sharesByEmotion(current.counts);
  const previousShares = previous && previous.totalFaces > 0 ? sharesByEmotion(previous.counts) : null;
  const hasCurrent = current.totalFaces > 0;
  return {
    faces: kpi(current.totalFaces, previous ? previous.totalFaces : null),
    positiveShare: kpi(
      hasCurrent ? groupShare(currentShares, POSITIVE_EMOTIONS) : null,
      previousShares ? groupShare(previousShares, POSITIVE_EMOTIONS) : null,
    ),
    negativeShare: kpi(
      hasCurrent ? groupShare(currentShares, NEGATIVE_EMOTIONS) : null,
      previousShares ? groupShare(previousShares, NEGATIVE_EMOTIONS) : null,
    ),
    meanValence: kpi(
      hasCurrent ? current.meanValence : null,
      previousShares ? (previous?.meanValence ?? null) : null,
    ),
  };
}

export interface Mover {
  emotion: Emotion;
  share: number;
  previousShare: number;
  change: number;
}

/** Emotions ordered by how much their share moved against the previous period (largest absolute change first). */
export function topMovers(current: PeriodTotals, previous: PeriodTotals | null, limit = 5): Mover[] {
  if (!previous || previous.totalFaces === 0 || current.totalFaces === 0) return [];
  const now = sharesByEmotion(current.counts);
  const before = sharesByEmotion(previous.counts);
  return EMOTIONS.map((emotion) => ({
    emotion,
    share: now[emotion],
    previousShare: before[emotion],
    change: now[emotion] - before[emotion],
  }))
    .sort(
      (a, b) =>
        Math.abs(b.change) - Math.abs(a.change) || EMOTIONS.indexOf(a.emotion) - EMOTIONS.indexOf(b.emotion),
    )
    .slice(0, limit);
}

/** One chart point; shares are null for a bucket without faces, so the chart shows a gap rather than 0%. */
export type ShareRow = { start: string; end: string; faces: number; meanValence: number | null } & Record<
  Emotion,
  number | null
>;

const nullRecord = (): Record<Emotion, null> =>
  Object.fromEntries(EMOTIONS.map((emotion) => [emotion, null])) as Record<Emotion, null>;

export function shareRows(buckets: readonly EmotionStatsBucket[]): ShareRow[] {
  return buckets.map((bucket) => ({
    start: bucket.start,
    end: bucket.end,
    faces: bucket.faces,
    meanValence: bucket.faces > 0 ? bucket.meanValence : null,
    ...(bucket.faces > 0 ? sharesByEmotion(bucket.counts) : nullRecord()),
  }));
}

export const NO_KEY_LABEL = "(none)";

export type BreakdownRow = {
  key: string | null;
  label: string;
  faces: number;
  meanValence: number | null;
} & EmotionRecord;

/** Groups sorted by faces, largest first; a null key (no source/campaign recorded) gets a readable label. */
export function breakdownRows(groups: readonly BreakdownGroup[]): BreakdownRow[] {
  return [...groups]
    .sort((a, b) => b.faces - a.faces || String(a.key).localeCompare(String(b.key)))
    .map((group) => ({
      key: group.key,
      label: group.key ?? NO_KEY_LABEL,
      faces: group.faces,
      meanValence: group.meanValence,
      ...sharesByEmotion(group.counts),
    }));
}

/** Mean of the faces' probability vectors: the analysis-level expression mix shown in the drill-down. */
export function meanProbabilities(
  faces: readonly { emotions: { emotion: string; probability: number }[] }[],
): EmotionRecord {
  const record = zeroRecord();
  if (faces.length === 0) return record;
  for (const face of faces)
    for (const entry of face.emotions) record[fromEmotionEnum(entry.emotion)] += entry.probability;
  for (const emotion of EMOTIONS) record[emotion] /= faces.length;
  return record;
}

export function dominantOf(record: EmotionRecord): Emotion {
  return EMOTIONS.reduce((best, emotion) => (record[emotion] > record[best] ? emotion : best), EMOTIONS[0]);
}
