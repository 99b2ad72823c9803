/**
 * The dashboard's server-side configuration, parsed once with zod. None of these variables is prefixed with
 * NEXT_PUBLIC_, so Next never inlines them into browser bundles: the database URL and the auth secret stay on the
 * server.
 */
import { parseEnv } from "@moodlens/shared";
import { z } from "zod";
import { MAX_VIDEO_BYTES_CEILING } from "./limits";

export const DEFAULT_API_URL = "http://localhost:4000/graphql";
export const DEFAULT_API_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_UPLOAD_BYTES = 8 * 1024 * 1024;
/** Videos pass through the dashboard to the API's POST /v1/videos; the API applies its own (documented) limit too. */
export const DEFAULT_MAX_VIDEO_BYTES = 200 * 1024 * 1024;

const blankToUndefined = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;

const envSchema = z.object({
  MOODLENS_API_URL: z.preprocess(blankToUndefined, z.url().default(DEFAULT_API_URL)),
  MOODLENS_API_TIMEOUT_MS: z.preprocess(
    blankToUndefined,
    z.coerce.number().int().min(100).max(120_000).default(DEFAULT_API_TIMEOUT_MS),
  ),
  MOODLENS_DASHBOARD_MAX_UPLOAD_BYTES: z.preprocess(
    blankToUndefined,
    z.coerce
      .number()
      .int()
      .min(1024)
      .max(100 * 1024 * 1024)
      .default(DEFAULT_MAX_UPLOAD_BYTES),
  ),
  MOODLENS_DASHBOARD_MAX_VIDEO_BYTES: z.preprocess(
    blankToUndefined,
    z.coerce.number().int().min(1024).max(MAX_VIDEO_BYTES_CEILING).default(DEFAULT_MAX_VIDEO_BYTES),
  ),
});

export type DashboardEnv = z.infer<typeof envSchema>;

let cached: DashboardEnv | undefined;

/** Lazy so `next build` does not need the runtime variables; parsed on first use, then reused. */
export function dashboardEnv(): DashboardEnv {
  cached ??= parseEnv(envSchema);
  return cached;
}

/** Sign-in (better-auth): users and sessions live in the Moodlens database. */
const authEnvSchema = z.object({
  DATABASE_URL: z.preprocess(
    blankToUndefined,
    z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL (npm start sets it)"),
  ),
  MOODLENS_AUTH_SECRET: z.preprocess(
    blankToUndefined,
    z.string().min(32, "must have at least 32 characters (npm start creates one)"),
  ),
  /** Where users open the dashboard; https here makes the session cookie Secure. */
  MOODLENS_DASHBOARD_URL: z.preprocess(blankToUndefined, z.url().optional()),
  PORT: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(65_535).default(3000)),
});

export type DashboardAuthEnv = z.infer<typeof authEnvSchema>;

let cachedAuth: DashboardAuthEnv | undefined;

export function dashboardAuthEnv(): DashboardAuthEnv {
  cachedAuth ??= parseEnv(authEnvSchema);
  return cachedAuth;
}
