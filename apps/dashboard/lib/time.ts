/**
 * Time-zone arithmetic without a date library: the dashboard only needs "midnight of a calendar day in zone Z"
 * and "calendar day of an instant in zone Z", both of which Intl can answer.
 */

export const DEFAULT_TIMEZONE = "UTC";

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** Offset of `timezone` from UTC at `instant`, in milliseconds (positive east of Greenwich). */
export function timezoneOffsetMs(instant: Date, timezone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: timezone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  const asUtc = Date.UTC(
    get("year"),
    get("month") - 1,
    get("day"),
    get("hour"),
    get("minute"),
    get("second"),
  );
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant at which calendar day `isoDate` (YYYY-MM-DD) starts in `timezone`. */
export function startOfDayInZone(isoDate: string, timezone: string): Date {
  const [year, month, day] = isoDate.split("-").map(Number) as [number, number, number];
  const naiveUtc = Date.UTC(year, month - 1, day);
  // Two passes settle the offset across a DST change that happens near midnight.
  let guess = naiveUtc - timezoneOffsetMs(new Date(naiveUtc), timezone);
  guess = naiveUtc - timezoneOffsetMs(new Date(guess), timezone);
  return new Date(guess);
}

/** Calendar day (YYYY-MM-DD) of `instant` in `timezone`. */
export function calendarDayInZone(instant: Date, timezone: string): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: timezone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(instant);
}

/** Adds whole calendar days to a YYYY-MM-DD date. */
export function addDays(isoDate: string, days: number): string {
  const [year, month, day] = isoDate.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** A short list for the picker; any other valid IANA zone typed into the URL works as well. */
export const COMMON_TIMEZONES = [
  "UTC",
  "Europe/London",
  "Europe/Paris",
  "Europe/Berlin",
  "Europe/Madrid",
  "America/New_York",
  "America/Chicago",
  "America/Denver",
  "America/Los_Angeles",
  "America/Sao_Paulo",
  "Asia/Tokyo",
  "Asia/Shanghai",
  "Asia/Kolkata",
  "Asia/Singapore",
  "Australia/Sydney",
] as const;
