import { AppError } from "@moodlens/shared";
import { MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE } from "./types";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

export function badInput(message: string, details?: Record<string, unknown>): AppError {
  return new AppError("BAD_USER_INPUT", message, details ? { details } : {});
}

export function pageSize(first: number | undefined): number {
  if (first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput(`first must be an integer from 1 to ${MAX_PAGE_SIZE}`, { first });
  }
  return first;
}

export function assertDate(value: Date, name: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime()))
    throw badInput(`${name} must be a valid date`);
  return value;
}

export const MAX_LABEL_LENGTH = 64;

/**
 * Labels such as source and campaign: trimmed, 1..64 printable characters. A rejected value is described by its
 * length, never echoed back (it may be a megabyte long).
 */
export function label(value: string | null | undefined, name: string, fallback: string): string {
  if (value === undefined || value === null) return fallback;
  const trimmed = value.trim();
  if (trimmed === "") return fallback;
  if (trimmed.length > MAX_LABEL_LENGTH || /[\u0000-\u001f]/.test(trimmed)) {
    throw badInput(`${name} must be at most ${MAX_LABEL_LENGTH} printable characters (got ${value.length})`, {
      field: name,
      length: value.length,
    });
  }
  return trimmed;
}

/** Validates an IANA time zone name (e.g. "Europe/Berlin"); throws BAD_USER_INPUT otherwise. */
export function timeZone(value: string | undefined): string {
  const zone = value ?? "UTC";
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
  } catch {
    throw badInput(`unknown time zone "${zone}" (use an IANA name such as Europe/Berlin)`, {
      timezone: zone,
    });
  }
  return zone;
}

export const encodeCursor = (parts: string[]): string =>
  Buffer.from(parts.join("|"), "utf8").toString("base64url");
export function decodeCursor(cursor: string, count: number): string[] {
  const parts = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (parts.length !== count || parts.some((part) => part === "")) throw badInput("invalid cursor");
  return parts;
}
