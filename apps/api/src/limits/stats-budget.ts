/**
 * Statistics cost what they return: an hourly series over a year is 8,760 buckets of seven counts each. Every
 * emotionStats field of an operation (aliases included) draws its bucket count from one per-request budget
 * (MOODLENS_MAX_STATS_BUCKETS), checked from the range before the database is asked.
 */
import { AppError } from "@moodlens/shared";
import type { ApiContext } from "../context";
import type { StatsBucket } from "../generated/graphql";

const HOUR_MS = 3_600_000;
/** Shortest length of each bucket (a month is at least 28 days), so the estimate is an upper bound. */
const BUCKET_MS: Record<StatsBucket, number> = {
  HOUR: HOUR_MS,
  DAY: 24 * HOUR_MS,
  WEEK: 7 * 24 * HOUR_MS,
  MONTH: 28 * 24 * HOUR_MS,
};

const spent = new WeakMap<ApiContext, number>();

/** Buckets a series from `from` to `to` can have (the first and last may be partial). */
export function bucketsIn(from: Date, to: Date, bucket: StatsBucket): number {
  return Math.max(1, Math.ceil((to.getTime() - from.getTime()) / BUCKET_MS[bucket]) + 1);
}

export function chargeStatsBuckets(context: ApiContext, from: Date, to: Date, bucket: StatsBucket): void {
  const max = context.runtime.config.limits.maxStatsBuckets;
  const total = (spent.get(context) ?? 0) + bucketsIn(from, to, bucket);
  spent.set(context, total);
  if (total > max) {
    throw new AppError(
      "BAD_USER_INPUT",
      `this operation asks for about ${total} statistics buckets; the limit is ${max}`,
      {
        details: { maxStatsBuckets: max, requested: total },
        hint: "use a larger bucket (DAY, WEEK, MONTH), a shorter range, or fewer emotionStats fields per request",
      },
    );
  }
}
