/**
 * Emotion statistics for the dashboard, read from the hourly rollup table (a few thousand rows per month, however
 * many faces are stored) and bucketed in the caller's IANA time zone.
 *
 * Exactness: a rollup row covers one UTC hour, so it can be assigned to a local bucket only when the whole hour lies
 * inside that bucket. That is every hour when the zone's offset is a whole number of hours during the range and
 * `from`/`to` are whole UTC hours. Otherwise (Asia/Kolkata +05:30, Asia/Kathmandu +05:45, Australia/Adelaide
 * +09:30, or ranges cut mid-hour) only the hours that a bucket boundary or `from`/`to` cuts are read from the face
 * table, every other hour still from the rollups: by DAY in a +05:30 zone that is one hour in 24.
 *
 * Series are continuous: every bucket between `from` and `to` is returned, empty ones with zero faces.
 * DST: DAY/WEEK/MONTH buckets follow local midnights (23- and 25-hour days included); HOUR buckets are real hours.
 * Weeks start on Monday (ISO).
 */
import { EMOTIONS, type Emotion } from "@moodlens/shared";
import { Prisma, type AnalysisKind } from "./generated/prisma/client";
import { sqlState } from "./errors";
import type { DbClient } from "./types";
import { assertDate, badInput, timeZone } from "./validate";

export type StatsBucket = "HOUR" | "DAY" | "WEEK" | "MONTH";
export type BreakdownDimension = "SOURCE" | "CAMPAIGN";

export interface StatsFilter {
  from: Date;
  /** Exclusive. */
  to: Date;
  sources?: string[];
  campaigns?: string[];
  /** true: only demo data; false: only real data; undefined: both. */
  isDemo?: boolean;
  /** Only these kinds (PHOTO, VIDEO: a video's track-seconds, LIVE); unset or empty: all. */
  kinds?: AnalysisKind[];
  /** IANA zone for bucket boundaries (default UTC). */
  timezone?: string;
  /** Groups/buckets with fewer faces (but more than zero) are suppressed for privacy (default 0: none). */
  minGroupSize?: number;
}

/**
 * Where the numbers came from: "rollup" (hourly rollups only), "rollup+faces" (rollups for the UTC hours inside one
 * bucket, the face table for the hours a bucket boundary or from/to cuts: sub-hour zones, ranges cut mid-hour) or
 * "faces" (every hour is cut, e.g. HOUR buckets in a +05:30 zone). All three are exact.
 */
export type ComputedFrom = "rollup" | "rollup+faces" | "faces";

export interface EmotionCount {
  emotion: Emotion;
  count: number;
  /** count / faces of the group (0 when the group is empty). */
  share: number;
}

export interface EmotionSummary {
  faces: number;
  /** Mean valence (-1..1), null without faces. */
  meanValence: number | null;
  /** All seven emotions in EMOTIONS order. */
  counts: EmotionCount[];
  /** True when the group had fewer than minGroupSize faces: its numbers are withheld (zeros/null). */
  suppressed: boolean;
}

export interface StatsBucketRow extends EmotionSummary {
  /** Bucket start as an ISO instant (UTC), e.g. local midnight of the day in `timezone`. */
  start: string;
}

export interface EmotionStats extends EmotionSummary {
  bucket: StatsBucket;
  timezone: string;
  from: string;
  to: string;
  /** Faces in all unsuppressed buckets (same as `faces`). */
  totalFaces: number;
  buckets: StatsBucketRow[];
  suppressedBuckets: number;
  minGroupSize: number;
  /** Where the numbers came from (see ComputedFrom). */
  computedFrom: ComputedFrom;
}

export interface BreakdownGroup extends EmotionSummary {
  key: string;
}

export interface EmotionBreakdown {
  by: BreakdownDimension;
  groups: BreakdownGroup[];
  totalFaces: number;
  suppressedGroups: number;
  minGroupSize: number;
  computedFrom: ComputedFrom;
}

export const MAX_BUCKETS = 5_000;
const HOUR_MS = 3_600_000;
/** Time ranges per face-table scan in the mixed rollup + faces query (see sourceRows). */
const SPANS_PER_SCAN = 32;
/**
 * More cut-hour ranges than this (DAY buckets over more than ~2.7 years in a sub-hour zone) read the face table
 * alone: planning thousands of ranges cost more than it saved (measured: 5000 DAY buckets, 1 M faces, 14 s mixed
 * vs 5 s from the faces, under load).
 */
const MAX_FACE_SPANS = 1_000;
const UNIT: Record<StatsBucket, string> = { HOUR: "hour", DAY: "day", WEEK: "week", MONTH: "month" };
const APPROX_BUCKET_MS: Record<StatsBucket, number> = {
  HOUR: HOUR_MS,
  DAY: 24 * HOUR_MS,
  WEEK: 7 * 24 * HOUR_MS,
  MONTH: 28 * 24 * HOUR_MS,
};

interface Range {
  from: string;
  to: string;
  zone: string;
  minGroupSize: number;
}

function checkRange(filter: StatsFilter): Range {
  const from = assertDate(filter.from, "from");
  const to = assertDate(filter.to, "to");
  if (to <= from) throw badInput("`to` must be after `from`");
  const minGroupSize = filter.minGroupSize ?? 0;
  if (!Number.isInteger(minGroupSize) || minGroupSize < 0)
    throw badInput("minGroupSize must be a non-negative integer");
  return { from: from.toISOString(), to: to.toISOString(), zone: timeZone(filter.timezone), minGroupSize };
}

function dimensionFilters(filter: StatsFilter): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (filter.sources?.length) parts.push(Prisma.sql`AND source IN (${Prisma.join(filter.sources)})`);
  if (filter.campaigns?.length) parts.push(Prisma.sql`AND campaign IN (${Prisma.join(filter.campaigns)})`);
  if (filter.isDemo !== undefined) parts.push(Prisma.sql`AND is_demo = ${filter.isDemo}`);
  if (filter.kinds?.length) parts.push(Prisma.sql`AND kind::text IN (${Prisma.join(filter.kinds)})`);
  return parts.length ? Prisma.join(parts, " ") : Prisma.empty;
}

/**
 * UTC hours that a bucket boundary or `from`/`to` cuts, i.e. whose faces do not all fall into one bucket of the range
 * (ISO strings, ascending): the rollup rows of such an hour cannot be assigned to a bucket, its faces must be read.
 * Without `bucket` (breakdowns) only `from`/`to` can cut an hour.
 */
async function cutHours(prisma: DbClient, range: Range, bucket: StatsBucket | undefined): Promise<string[]> {
  const utcHour = Prisma.sql`(date_trunc('hour', b AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`;
  const boundaries = bucket
    ? Prisma.sql`SELECT start FROM (${bucketSeries(bucket, range)}) AS series UNION ALL `
    : Prisma.empty;
  const rows = await prisma.$queryRaw<{ h: string }[]>`
    SELECT DISTINCT to_char(${utcHour} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS h
    FROM (${boundaries}SELECT ${range.from}::timestamptz UNION ALL SELECT ${range.to}::timestamptz) AS bounds (b)
    WHERE b <> ${utcHour} AND ${utcHour} < ${range.to}::timestamptz AND ${utcHour} + interval '1 hour' > ${range.from}::timestamptz
    ORDER BY 1`;
  return rows.map((row) => row.h);
}

/** The cut hours clipped to the range, consecutive ones merged: [from, to) instants as ISO strings. */
function cutSpans(hours: string[], range: Range): [string, string][] {
  const from = Date.parse(range.from);
  const to = Date.parse(range.to);
  const spans: [number, number][] = [];
  for (const hour of hours) {
    const start = Math.max(Date.parse(hour), from);
    const end = Math.min(Date.parse(hour) + HOUR_MS, to);
    const last = spans.at(-1);
    if (last && last[1] === start) last[1] = end;
    else spans.push([start, end]);
  }
  return spans.map(([start, end]) => [new Date(start).toISOString(), new Date(end).toISOString()]);
}

interface Source {
  sql: Prisma.Sql;
  computedFrom: ComputedFrom;
  /**
   * Run with JIT compilation off (PostgreSQL). The planner costs each face range for every row of the bitmap scans,
   * so a few thousand faces in 180 ranges look expensive enough to JIT-compile: measured 0.1-1.8 s of compilation
   * (seconds more under load, minutes for 5000 ranges) for 20-50 ms of execution.
   */
  noJit?: boolean;
}

/** Runs a stats query on `source` (in one transaction with JIT off when the source asks for it). */
async function queryRows<T>(prisma: DbClient, source: Source, query: Prisma.Sql): Promise<T[]> {
  if (!source.noJit) return prisma.$queryRaw<T[]>(query);
  // No transaction timeout beyond the plain query's (none): a long range of millions of faces may take a while.
  const [, rows] = await prisma.$transaction(
    [prisma.$executeRaw`SELECT set_config('jit', 'off', true)`, prisma.$queryRaw<T[]>(query)],
    {
      timeout: 3_600_000,
    },
  );
  return rows;
}

/**
 * Rows (ts, dim, emotion, faces, valence_sum) for the range, `dim` being the breakdown dimension (or NULL).
 * Every UTC hour lying wholly inside the range and inside one bucket comes from its rollup rows (ts = the hour's
 * start, which the outer query buckets like any instant of that hour); the hours that a bucket boundary or
 * `from`/`to` cuts (see cutHours) come from their faces, each at its own instant. Whole-hour zones with whole-hour
 * ranges have no cut hour ("rollup"); a +05:30 zone by DAY has one per day ("rollup+faces", 1/24 of the faces);
 * when every hour is cut (HOUR buckets in a +05:30 zone), or the cut hours form more than MAX_FACE_SPANS ranges, the
 * face table alone is read ("faces").
 */
async function sourceRows(
  prisma: DbClient,
  filter: StatsFilter,
  range: Range,
  bucket: StatsBucket | undefined,
  dimension?: "source" | "campaign",
): Promise<Source> {
  const cut = await cutHours(prisma, range, bucket);
  const hours = Math.ceil(Date.parse(range.to) / HOUR_MS) - Math.floor(Date.parse(range.from) / HOUR_MS);
  const where = dimensionFilters(filter);
  const keep = dimension ? Prisma.raw(dimension) : Prisma.raw("NULL::text");
  const faces = (span: Prisma.Sql) => Prisma.sql`
    SELECT captured_at AS ts, ${keep} AS dim, dominant_emotion AS emotion, 1 AS faces, valence AS valence_sum
    FROM face WHERE ${span} ${where}`;
  const cutRanges = cutSpans(cut, range);
  if (cut.length >= hours || cutRanges.length > MAX_FACE_SPANS) {
    return {
      computedFrom: "faces",
      sql: faces(
        Prisma.sql`captured_at >= ${range.from}::timestamptz AND captured_at < ${range.to}::timestamptz`,
      ),
    };
  }
  // Collapse the other dimension first: far fewer rows to convert to local time (1 M faces ≈ 70k rollup rows).
  // A cut hour's rollup rows are left out even when the hour starts inside the range; an hour cut by `from`/`to`
  // starts before `from` or ends after `to`, so the range conditions leave it out anyway.
  const excluded = cut.length
    ? Prisma.sql`AND hour_start NOT IN (VALUES ${Prisma.join(cut.map((hour) => Prisma.sql`(${hour}::timestamptz)`))})`
    : Prisma.empty;
  const rollups = Prisma.sql`
    SELECT hour_start AS ts, ${keep} AS dim, emotion, sum(faces)::int AS faces, sum(valence_sum) AS valence_sum
    FROM hourly_emotion_rollup
    WHERE hour_start >= ${range.from}::timestamptz AND hour_start < ${range.to}::timestamptz ${excluded} ${where}
    GROUP BY 1, 2, 3`;
  if (!cut.length) return { computedFrom: "rollup", sql: rollups };
  // The cut hours' faces through the captured_at index: one range per run of consecutive cut hours, as constants
  // (not a join, which the planner estimates at a ninth of the table per hour), at most SPANS_PER_SCAN per OR
  // (planning an OR of thousands of ranges takes seconds).
  const spans = cutRanges.map(
    ([start, end]) =>
      Prisma.sql`(captured_at >= ${start}::timestamptz AND captured_at < ${end}::timestamptz)`,
  );
  const scans: Prisma.Sql[] = [];
  for (let i = 0; i < spans.length; i += SPANS_PER_SCAN)
    scans.push(faces(Prisma.sql`(${Prisma.join(spans.slice(i, i + SPANS_PER_SCAN), " OR ")})`));
  return { computedFrom: "rollup+faces", sql: Prisma.join([rollups, ...scans], " UNION ALL "), noJit: true };
}

/** Start (timestamptz) of the local bucket holding `ts`. */
function bucketStart(ts: Prisma.Sql, bucket: StatsBucket, zone: string): Prisma.Sql {
  if (bucket === "HOUR") {
    // Subtract the local minutes past the hour: real hours, also for +05:30 zones and across DST changes.
    return Prisma.sql`(${ts} - ((${ts} AT TIME ZONE ${zone}) - date_trunc('hour', ${ts} AT TIME ZONE ${zone})))`;
  }
  return Prisma.sql`(date_trunc(${UNIT[bucket]}, ${ts} AT TIME ZONE ${zone}) AT TIME ZONE ${zone})`;
}

function bucketSeries(bucket: StatsBucket, range: Range): Prisma.Sql {
  const last = Prisma.sql`(${range.to}::timestamptz - interval '1 millisecond')`;
  if (bucket === "HOUR") {
    return Prisma.sql`SELECT generate_series(${bucketStart(Prisma.sql`${range.from}::timestamptz`, bucket, range.zone)}, ${last}, interval '1 hour') AS start`;
  }
  // Step through local calendar time, then map each local start back to an instant.
  return Prisma.sql`
    SELECT g AT TIME ZONE ${range.zone} AS start
    FROM generate_series(date_trunc(${UNIT[bucket]}, ${range.from}::timestamptz AT TIME ZONE ${range.zone}),
                         ${last} AT TIME ZONE ${range.zone}, ${`1 ${UNIT[bucket]}`}::interval) AS g`;
}

function summarize(
  perEmotion: Map<string, { faces: number; valenceSum: number }>,
  minGroupSize: number,
): EmotionSummary {
  let faces = 0;
  let valenceSum = 0;
  for (const value of perEmotion.values()) {
    faces += value.faces;
    valenceSum += value.valenceSum;
  }
  const suppressed = faces > 0 && faces < minGroupSize;
  if (suppressed) {
    return {
      faces: 0,
      meanValence: null,
      counts: EMOTIONS.map((emotion) => ({ emotion, count: 0, share: 0 })),
      suppressed,
    };
  }
  return {
    faces,
    meanValence: faces ? valenceSum / faces : null,
    counts: EMOTIONS.map((emotion) => {
      const count = perEmotion.get(emotion)?.faces ?? 0;
      return { emotion, count, share: faces ? count / faces : 0 };
    }),
    suppressed,
  };
}

async function runStatsQuery<T>(query: () => Promise<T>, zone: string): Promise<T> {
  try {
    return await query();
  } catch (error) {
    if (sqlState(error) === "22023") throw badInput(`unknown time zone "${zone}"`, { timezone: zone });
    throw error;
  }
}

/** Faces per time bucket with per-emotion counts and mean valence; a continuous series including empty buckets. */
export async function emotionStats(
  prisma: DbClient,
  filter: StatsFilter,
  bucket: StatsBucket = "DAY",
): Promise<EmotionStats> {
  if (!(bucket in UNIT)) throw badInput(`bucket must be one of ${Object.keys(UNIT).join(", ")}`);
  const range = checkRange(filter);
  const approxBuckets = (Date.parse(range.to) - Date.parse(range.from)) / APPROX_BUCKET_MS[bucket];
  if (approxBuckets > MAX_BUCKETS)
    throw badInput(
      `too many ${bucket} buckets (max ${MAX_BUCKETS}); choose a larger bucket or a shorter range`,
    );

  return runStatsQuery(async () => {
    const source = await sourceRows(prisma, filter, range, bucket);
    const rows = await queryRows<{
      start: string;
      emotion: string | null;
      faces: number | null;
      valence_sum: number | null;
    }>(
      prisma,
      source,
      Prisma.sql`
      WITH src AS (${source.sql}),
      data AS (
        SELECT ${bucketStart(Prisma.sql`ts`, bucket, range.zone)} AS start, emotion,
               sum(faces)::int AS faces, sum(valence_sum)::float8 AS valence_sum
        FROM src GROUP BY 1, 2
      ),
      series AS (${bucketSeries(bucket, range)})
      SELECT to_char(s.start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS start,
             d.emotion::text AS emotion, d.faces, d.valence_sum
      FROM series s LEFT JOIN data d ON d.start = s.start
      ORDER BY s.start`,
    );

    const byBucket = new Map<string, Map<string, { faces: number; valenceSum: number }>>();
    const overall = new Map<string, { faces: number; valenceSum: number }>();
    for (const row of rows) {
      const perEmotion = byBucket.get(row.start) ?? new Map();
      byBucket.set(row.start, perEmotion);
      if (row.emotion && row.faces)
        perEmotion.set(row.emotion, { faces: row.faces, valenceSum: row.valence_sum ?? 0 });
    }
    const buckets: StatsBucketRow[] = [];
    let suppressedBuckets = 0;
    for (const [start, perEmotion] of byBucket) {
      const summary = summarize(perEmotion, range.minGroupSize);
      if (summary.suppressed) suppressedBuckets++;
      else {
        for (const [emotion, value] of perEmotion) {
          const total = overall.get(emotion) ?? { faces: 0, valenceSum: 0 };
          total.faces += value.faces;
          total.valenceSum += value.valenceSum;
          overall.set(emotion, total);
        }
      }
      buckets.push({ start, ...summary });
    }
    const total = summarize(overall, 0);
    return {
      ...total,
      suppressed: suppressedBuckets > 0,
      bucket,
      timezone: range.zone,
      from: range.from,
      to: range.to,
      totalFaces: total.faces,
      buckets,
      suppressedBuckets,
      minGroupSize: range.minGroupSize,
      computedFrom: source.computedFrom,
    };
  }, range.zone);
}

/** Faces per source or campaign over the range, largest group first. */
export async function emotionBreakdown(
  prisma: DbClient,
  filter: StatsFilter,
  by: BreakdownDimension,
): Promise<EmotionBreakdown> {
  if (by !== "SOURCE" && by !== "CAMPAIGN") throw badInput("breakdown must be by SOURCE or CAMPAIGN");
  const range = checkRange(filter);
  return runStatsQuery(async () => {
    const source = await sourceRows(
      prisma,
      filter,
      range,
      undefined,
      by === "SOURCE" ? "source" : "campaign",
    );
    const rows = await queryRows<{ key: string; emotion: string; faces: number; valence_sum: number }>(
      prisma,
      source,
      Prisma.sql`
      WITH src AS (${source.sql})
      SELECT dim AS key, emotion::text AS emotion, sum(faces)::int AS faces, sum(valence_sum)::float8 AS valence_sum
      FROM src GROUP BY 1, 2`,
    );
    const byKey = new Map<string, Map<string, { faces: number; valenceSum: number }>>();
    for (const row of rows) {
      const perEmotion = byKey.get(row.key) ?? new Map();
      byKey.set(row.key, perEmotion);
      perEmotion.set(row.emotion, { faces: row.faces, valenceSum: row.valence_sum });
    }
    const groups = [...byKey].map(([key, perEmotion]) => ({
      key,
      ...summarize(perEmotion, range.minGroupSize),
    }));
    groups.sort(
      (a, b) =>
        Number(a.suppressed) - Number(b.suppressed) || b.faces - a.faces || a.key.localeCompare(b.key),
    );
    return {
      by,
      groups,
      totalFaces: groups.reduce((sum, group) => sum + group.faces, 0),
      suppressedGroups: groups.filter((group) => group.suppressed).length,
      minGroupSize: range.minGroupSize,
      computedFrom: source.computedFrom,
    };
  }, range.zone);
}

export interface DimensionValue {
  name: string;
  faces: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

async function listDimension(
  prisma: DbClient,
  column: "source" | "campaign",
  isDemo: boolean | undefined,
): Promise<DimensionValue[]> {
  const demo = isDemo === undefined ? Prisma.empty : Prisma.sql`WHERE is_demo = ${isDemo}`;
  const rows = await prisma.$queryRaw<
    { name: string; faces: number; first_seen: string; last_seen: string }[]
  >`
    SELECT ${Prisma.raw(column)} AS name, sum(faces)::int AS faces,
           to_char(min(hour_start) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS first_seen,
           to_char(max(hour_start) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS last_seen
    FROM hourly_emotion_rollup ${demo}
    GROUP BY 1 ORDER BY faces DESC, name`;
  return rows.map((row) => ({
    name: row.name,
    faces: row.faces,
    firstSeenAt: new Date(row.first_seen),
    lastSeenAt: new Date(row.last_seen),
  }));
}

/** Every source that has faces, most faces first (seen times are UTC hour starts). */
export const listSources = (prisma: DbClient, options: { isDemo?: boolean } = {}) =>
  listDimension(prisma, "source", options.isDemo);
/** Every campaign that has faces, most faces first. */
export const listCampaigns = (prisma: DbClient, options: { isDemo?: boolean } = {}) =>
  listDimension(prisma, "campaign", options.isDemo);
