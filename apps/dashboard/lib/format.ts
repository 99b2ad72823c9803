/** Number and date formatting shared by server and client components (fixed locale so SSR and hydration agree). */
const LOCALE = "en-GB";

const integer = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });

export const formatInteger = (value: number): string => integer.format(value);

export function formatPercent(share: number | null | undefined, digits = 1): string {
  if (share == null || !Number.isFinite(share)) return "–";
  return `${(share * 100).toFixed(digits)}%`;
}

/** Signed change in percentage points, e.g. "+2.4 pp". */
export function formatPointsDelta(delta: number, digits = 1): string {
  if (!Number.isFinite(delta)) return "–";
  const points = delta * 100;
  const sign = points > 0 ? "+" : points < 0 ? "−" : "±";
  return `${sign}${Math.abs(points).toFixed(digits)} pp`;
}

export function formatSigned(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return "–";
  const sign = value > 0 ? "+" : value < 0 ? "−" : "±";
  return `${sign}${Math.abs(value).toFixed(digits)}`;
}

export function formatDecimal(value: number | null | undefined, digits = 3): string {
  return value == null || !Number.isFinite(value) ? "–" : value.toFixed(digits);
}

export function formatDateTime(value: string | Date, timezone = "UTC"): string {
  const date = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(LOCALE, {
    timeZone: timezone,
    dateStyle: "medium",
    timeStyle: "short",
  }).format(date);
}

/** Compact date-time for dense tables. */
export function formatShortDateTime(value: string | Date, timezone = "UTC"): string {
  const date = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(LOCALE, {
    timeZone: timezone,
    day: "2-digit",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(date);
}

/** Axis/tick label for a bucket start, coarse enough for the bucket size. */
export function formatBucketLabel(
  value: string | Date,
  bucket: "HOUR" | "DAY" | "WEEK" | "MONTH",
  timezone = "UTC",
): string {
  const date = typeof value === "string" ? new Date(value) : value;
  const options: Intl.DateTimeFormatOptions =
    bucket === "HOUR"
      ? { day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }
      : bucket === "MONTH"
        ? { month: "short", year: "numeric" }
        : { day: "2-digit", month: "short", year: bucket === "WEEK" ? "2-digit" : undefined };
  return new Intl.DateTimeFormat(LOCALE, { timeZone: timezone, ...options }).format(date);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
