/**
 * The overview's and drill-down's filters live in the URL (searchParams) so a view can be shared and reloaded.
 * This module is the only place that reads and writes them; it is pure so the server page, the client filter bar
 * and the CSV route all agree.
 *
 * URL format:  ?range=30d | ?from=2026-01-01&to=2026-01-31 (calendar days, inclusive) or ISO instants (to exclusive)
 *              &sources=web,kiosk &campaigns=spring &tz=Europe/Paris
 *              &demo=hide (leave out the synthetic rows of `npm run seed -- --demo`; shown by default)
 *              &kinds=video,live (only these kinds of results: photo, video, live; all by default)
 */
import {
  DAY_MS,
  DEFAULT_TIMEZONE,
  HOUR_MS,
  addDays,
  calendarDayInZone,
  isValidTimezone,
  startOfDayInZone,
} from "./time";

export type Bucket = "HOUR" | "DAY" | "WEEK" | "MONTH";

export const RANGE_PRESETS = [
  { id: "24h", label: "Last 24 hours" },
  { id: "7d", label: "Last 7 days", days: 7 },
  { id: "30d", label: "Last 30 days", days: 30 },
  { id: "90d", label: "Last 90 days", days: 90 },
  { id: "1y", label: "Last 12 months", days: 365 },
  { id: "3y", label: "Last 3 years", days: 3 * 365 },
] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number]["id"];
export const DEFAULT_RANGE: RangePreset = "30d";

export interface Filters {
  /** A preset id, or "custom" when from/to came from the URL. */
  range: RangePreset | "custom";
  from: Date;
  /** Exclusive end. */
  to: Date;
  sources: string[];
  campaigns: string[];
  timezone: string;
  /** Demo rows (`npm run seed -- --demo`) in the view or left out. */
  demo: DemoRows;
  /** Only these kinds of results; empty: all kinds. */
  kinds: AnalysisKindId[];
}

export type DemoRows = "show" | "hide";

/** Kinds of results (the API's AnalysisKind, lower-cased in the URL). */
export const ANALYSIS_KINDS = [
  { id: "photo", label: "Photos" },
  { id: "video", label: "Videos" },
  { id: "live", label: "Live" },
] as const;
export type AnalysisKindId = (typeof ANALYSIS_KINDS)[number]["id"];
const isKind = (value: string): value is AnalysisKindId => ANALYSIS_KINDS.some((kind) => kind.id === value);

export type SearchParamsRecord = Record<string, string | string[] | undefined>;

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

const first = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

/** `a,b` and repeated params both work; blanks and duplicates are dropped. */
export function parseList(value: string | string[] | undefined): string[] {
  const raw = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const items = raw
    .flatMap((entry) => entry.split(","))
    .map((entry) => entry.trim())
    .filter(Boolean);
  return [...new Set(items)];
}

function isPreset(value: string | undefined): value is RangePreset {
  return RANGE_PRESETS.some((preset) => preset.id === value);
}

/** Resolves a preset against `now`: day presets cover whole calendar days in the chosen zone, ending with today. */
export function presetRange(preset: RangePreset, now: Date, timezone: string): { from: Date; to: Date } {
  if (preset === "24h") {
    const to = new Date(Math.ceil(now.getTime() / HOUR_MS) * HOUR_MS);
    return { from: new Date(to.getTime() - DAY_MS), to };
  }
  const days = RANGE_PRESETS.find((candidate) => candidate.id === preset && "days" in candidate) as {
    days: number;
  };
  const today = calendarDayInZone(now, timezone);
  return {
    from: startOfDayInZone(addDays(today, -(days.days - 1)), timezone),
    to: startOfDayInZone(addDays(today, 1), timezone),
  };
}

function parseBound(value: string | undefined, timezone: string, isEnd: boolean): Date | null {
  if (!value) return null;
  if (ISO_DAY.test(value)) {
    // Calendar days are inclusive in the URL: to=2026-01-31 means "up to the end of the 31st".
    const date = startOfDayInZone(isEnd ? addDays(value, 1) : value, timezone);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export interface ParsedFilters {
  filters: Filters;
  /** Things in the URL that were ignored, for a notice on the page. */
  problems: string[];
}

export function parseFilters(params: SearchParamsRecord, now: Date = new Date()): ParsedFilters {
  const problems: string[] = [];
  let timezone = first(params.tz) ?? DEFAULT_TIMEZONE;
  if (!isValidTimezone(timezone)) {
    problems.push(`Unknown time zone "${timezone}", using ${DEFAULT_TIMEZONE}.`);
    timezone = DEFAULT_TIMEZONE;
  }
  const sources = parseList(params.sources);
  const campaigns = parseList(params.campaigns);
  const rawDemo = first(params.demo);
  const demo: DemoRows = rawDemo === "hide" ? "hide" : "show";
  if (rawDemo !== undefined && rawDemo !== "hide" && rawDemo !== "show")
    problems.push(`Unknown demo="${rawDemo}"; showing demo data.`);
  const rawKinds = parseList(params.kinds).map((kind) => kind.toLowerCase());
  const unknownKinds = rawKinds.filter((kind) => !isKind(kind));
  if (unknownKinds.length)
    problems.push(`Unknown kind ${unknownKinds.map((kind) => `"${kind}"`).join(", ")} ignored.`);
  // Every kind ticked is the same view as none: keep the URL short and canonical.
  const chosenKinds = ANALYSIS_KINDS.map((kind) => kind.id).filter((kind) => rawKinds.includes(kind));
  const kinds = chosenKinds.length === ANALYSIS_KINDS.length ? [] : chosenKinds;

  const rawFrom = first(params.from);
  const rawTo = first(params.to);
  if (rawFrom || rawTo) {
    const from = parseBound(rawFrom, timezone, false);
    const to = parseBound(rawTo, timezone, true) ?? (from ? now : null);
    if (from && to && from < to)
      return { filters: { range: "custom", from, to, sources, campaigns, timezone, demo, kinds }, problems };
    problems.push(
      from && to
        ? "The start date is after the end date; showing the default range."
        : "Unreadable date range; showing the default range.",
    );
  }
  const rawRange = first(params.range);
  let range: RangePreset = DEFAULT_RANGE;
  if (isPreset(rawRange)) range = rawRange;
  else if (rawRange) problems.push(`Unknown range "${rawRange}"; showing ${DEFAULT_RANGE}.`);
  return {
    filters: { range, ...presetRange(range, now, timezone), sources, campaigns, timezone, demo, kinds },
    problems,
  };
}

/** Serialises filters back to URL params; presets stay presets so a shared link keeps meaning "the last N days". */
export function filtersToParams(filters: Filters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.range === "custom") {
    params.set("from", filters.from.toISOString());
    params.set("to", filters.to.toISOString());
  } else if (filters.range !== DEFAULT_RANGE) {
    params.set("range", filters.range);
  }
  if (filters.sources.length) params.set("sources", filters.sources.join(","));
  if (filters.campaigns.length) params.set("campaigns", filters.campaigns.join(","));
  if (filters.timezone !== DEFAULT_TIMEZONE) params.set("tz", filters.timezone);
  if (filters.demo === "hide") params.set("demo", "hide");
  if (filters.kinds.length) params.set("kinds", filters.kinds.join(","));
  return params;
}

export function withParams(path: string, params: URLSearchParams): string {
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

/** HOUR for up to 2 days, DAY up to 90 days, WEEK up to 2 years, MONTH beyond: a chart never gets thousands of points. */
export function chooseBucket(from: Date, to: Date): Bucket {
  const span = to.getTime() - from.getTime();
  if (span <= 2 * DAY_MS) return "HOUR";
  if (span <= 90 * DAY_MS) return "DAY";
  if (span <= 731 * DAY_MS) return "WEEK";
  return "MONTH";
}

/** The period of equal length just before `from` (for "change vs previous period"). */
export function previousPeriod(from: Date, to: Date): { from: Date; to: Date } {
  const span = to.getTime() - from.getTime();
  return { from: new Date(from.getTime() - span), to: new Date(from.getTime()) };
}

/** End (exclusive) of the bucket starting at `start`; months follow the calendar in the chosen zone. */
export function bucketEnd(start: Date, bucket: Bucket, timezone: string): Date {
  if (bucket === "HOUR") return new Date(start.getTime() + HOUR_MS);
  const day = calendarDayInZone(start, timezone);
  if (bucket === "DAY") return startOfDayInZone(addDays(day, 1), timezone);
  if (bucket === "WEEK") return startOfDayInZone(addDays(day, 7), timezone);
  const [year, month] = day.split("-").map(Number) as [number, number];
  const next = new Date(Date.UTC(year, month, 1)).toISOString().slice(0, 10);
  return startOfDayInZone(next, timezone);
}

export function describeRange(filters: Filters): string {
  const preset = RANGE_PRESETS.find((candidate) => candidate.id === filters.range);
  if (preset) return preset.label;
  const { from, to, timezone } = filters;
  const fromDay = calendarDayInZone(from, timezone);
  const lastDay = calendarDayInZone(new Date(to.getTime() - 1), timezone);
  const wholeDays =
    startOfDayInZone(fromDay, timezone).getTime() === from.getTime() &&
    startOfDayInZone(addDays(lastDay, 1), timezone).getTime() === to.getTime();
  if (wholeDays) {
    const day = new Intl.DateTimeFormat("en-GB", { timeZone: timezone, dateStyle: "medium" });
    return fromDay === lastDay
      ? day.format(from)
      : `${day.format(from)} – ${day.format(new Date(to.getTime() - 1))}`;
  }
  const format = new Intl.DateTimeFormat("en-GB", {
    timeZone: timezone,
    dateStyle: "medium",
    timeStyle: "short",
  });
  return `${format.format(from)} – ${format.format(to)}`;
}
