import {
  countAnalyses,
  emotionBreakdown,
  emotionStats,
  listCampaigns,
  listSources,
  toDatabaseError,
  type StatsFilter,
} from "@moodlens/db";
import type { ApiContext } from "../context";
import { chargeStatsBuckets } from "../limits/stats-budget";
import type { AnalysisFilter, BreakdownDimension, StatsBucket } from "../generated/graphql";
import type { DbAnalysisFilter } from "./analysis-view";
import type { DimensionView, EmotionBreakdownView, EmotionStatsView, StatsBucketView } from "./stats-view";

/** Statistics without from/to cover the 30 days up to the next full hour (whole hours keep the rollups exact). */
export const DEFAULT_STATS_DAYS = 30;
/** Per-bucket analysis counts cost one indexed count each; longer series report null instead. */
export const MAX_COUNTED_BUCKETS = 200;
const HOUR_MS = 3_600_000;

/** GraphQL filter -> @moodlens/db's analysis filter (list and counts). */
export function toDbFilter(filter: AnalysisFilter | null | undefined): DbAnalysisFilter {
  const result: DbAnalysisFilter = {};
  if (filter?.from) result.from = filter.from;
  if (filter?.to) result.to = filter.to;
  if (filter?.sources?.length) result.sources = filter.sources;
  if (filter?.campaigns?.length) result.campaigns = filter.campaigns;
  if (filter?.demo !== undefined && filter?.demo !== null) result.isDemo = filter.demo;
  if (filter?.emotion) result.emotion = filter.emotion;
  if (filter?.kinds?.length) result.kinds = [...filter.kinds];
  return result;
}

function statsFilter(
  context: ApiContext,
  filter: AnalysisFilter | null | undefined,
): StatsFilter & { from: Date; to: Date } {
  const to = filter?.to ?? new Date(Math.ceil(Date.now() / HOUR_MS) * HOUR_MS);
  const from = filter?.from ?? new Date(to.getTime() - DEFAULT_STATS_DAYS * 24 * HOUR_MS);
  const base = toDbFilter(filter);
  return {
    from,
    to,
    ...(base.sources ? { sources: base.sources } : {}),
    ...(base.campaigns ? { campaigns: base.campaigns } : {}),
    ...(base.isDemo !== undefined ? { isDemo: base.isDemo } : {}),
    ...(base.kinds ? { kinds: base.kinds } : {}),
    ...(filter?.timezone ? { timezone: filter.timezone } : {}),
    minGroupSize: context.runtime.config.minGroupSize,
  };
}

const countFilterOf = (filter: StatsFilter): DbAnalysisFilter => ({
  from: filter.from,
  to: filter.to,
  ...(filter.sources ? { sources: filter.sources } : {}),
  ...(filter.campaigns ? { campaigns: filter.campaigns } : {}),
  ...(filter.isDemo !== undefined ? { isDemo: filter.isDemo } : {}),
  ...(filter.kinds ? { kinds: filter.kinds } : {}),
});

export async function getEmotionStats(
  context: ApiContext,
  filter: AnalysisFilter | null | undefined,
  bucket: StatsBucket,
): Promise<EmotionStatsView> {
  const selection = statsFilter(context, filter);
  chargeStatsBuckets(context, selection.from, selection.to, bucket);
  try {
    const stats = await emotionStats(context.runtime.db.prisma, selection, bucket);
    const base = countFilterOf(selection);
    const counted = stats.buckets.length <= MAX_COUNTED_BUCKETS;
    const buckets: StatsBucketView[] = stats.buckets.map((row, i) => {
      const start = new Date(row.start);
      const next = stats.buckets[i + 1];
      const end = next ? new Date(next.start) : selection.to;
      const clippedStart = start < selection.from ? selection.from : start;
      return {
        start,
        end: end > selection.to ? selection.to : end,
        faces: row.faces,
        suppressed: row.suppressed,
        meanValence: row.meanValence,
        counts: row.counts,
        countFilter:
          counted && !row.suppressed
            ? { ...base, from: clippedStart, to: end > selection.to ? selection.to : end }
            : null,
      };
    });
    return {
      bucket,
      timezone: stats.timezone,
      from: selection.from,
      to: selection.to,
      totalFaces: stats.totalFaces,
      meanValence: stats.meanValence,
      suppressed: stats.suppressedBuckets,
      minGroupSize: stats.minGroupSize,
      buckets,
      counts: stats.counts,
      computedFrom: stats.computedFrom,
      filter: base,
    };
  } catch (error) {
    throw toDatabaseError(error);
  }
}

export async function getEmotionBreakdown(
  context: ApiContext,
  filter: AnalysisFilter | null | undefined,
  by: BreakdownDimension,
): Promise<EmotionBreakdownView> {
  const selection = statsFilter(context, filter);
  try {
    const breakdown = await emotionBreakdown(context.runtime.db.prisma, selection, by);
    const base = countFilterOf(selection);
    return {
      by,
      totalFaces: breakdown.totalFaces,
      suppressed: breakdown.suppressedGroups,
      minGroupSize: breakdown.minGroupSize,
      groups: breakdown.groups.map((group) => ({
        key: group.key,
        faces: group.faces,
        suppressed: group.suppressed,
        meanValence: group.meanValence,
        counts: group.counts,
        countFilter: group.suppressed
          ? null
          : { ...base, ...(by === "SOURCE" ? { sources: [group.key] } : { campaigns: [group.key] }) },
      })),
    };
  } catch (error) {
    throw toDatabaseError(error);
  }
}

export async function getDimension(
  context: ApiContext,
  which: "source" | "campaign",
): Promise<DimensionView[]> {
  try {
    const rows = await (which === "source" ? listSources : listCampaigns)(context.runtime.db.prisma);
    return rows.map((row) => ({
      name: row.name,
      faces: row.faces,
      firstSeen: row.firstSeenAt,
      lastSeen: row.lastSeenAt,
      countFilter: which === "source" ? { sources: [row.name] } : { campaigns: [row.name] },
    }));
  } catch (error) {
    throw toDatabaseError(error);
  }
}

/** Counts analyses for lazily resolved `analyses` fields. */
export async function countFor(context: ApiContext, filter: DbAnalysisFilter | null): Promise<number | null> {
  if (!filter) return null;
  try {
    return await countAnalyses(context.runtime.db.prisma, filter);
  } catch (error) {
    throw toDatabaseError(error);
  }
}
