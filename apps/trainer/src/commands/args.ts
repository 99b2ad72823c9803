import { AppError } from "@moodlens/shared";

/** Parses a numeric option, failing with the option's name. */
export function numberOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed))
    throw new AppError("BAD_USER_INPUT", `--${name} must be a number, got "${value}"`);
  return parsed;
}

export function intOption(value: string | undefined, name: string): number | undefined {
  const parsed = numberOption(value, name);
  if (parsed !== undefined && !Number.isInteger(parsed))
    throw new AppError("BAD_USER_INPUT", `--${name} must be an integer, got "${value}"`);
  return parsed;
}

export function choiceOption<T extends string>(
  value: string | undefined,
  name: string,
  choices: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) {
    throw new AppError("BAD_USER_INPUT", `--${name} must be one of ${choices.join(", ")}, got "${value}"`);
  }
  return value as T;
}

export function jsonOption<T>(value: string | undefined, name: string): T | undefined {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as T;
  } catch {
    throw new AppError("BAD_USER_INPUT", `--${name} must be JSON, got "${value}"`);
  }
}

export function required<T>(value: T | undefined, name: string, hint?: string): T {
  if (value === undefined || value === "")
    throw new AppError("BAD_USER_INPUT", `--${name} is required`, hint ? { hint } : {});
  return value;
}
