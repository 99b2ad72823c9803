/**
 * The dashboard's server-side configuration, parsed once with zod. None of these variables is prefixed with
 * NEXT_PUBLIC_, so Next never inlines them into browser bundles: the API key stays on the server.
 */
import { parseEnv } from "@moodlens/shared";
import { z } from "zod";

export const DEFAULT_API_URL = "http://localhost:4000/graphql";
export const DEFAULT_API_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_UPLOAD_BYTES = 8 * 1024 * 1024;

const blankToUndefined = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;

const envSchema = z.object({
  MOODLENS_API_URL: z.preprocess(blankToUndefined, z.url().default(DEFAULT_API_URL)),
  MOODLENS_DASHBOARD_API_KEY: z.preprocess(blankToUndefined, z.string().min(1).optional()),
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
});

export type DashboardEnv = z.infer<typeof envSchema>;

let cached: DashboardEnv | undefined;

/** Lazy so `next build` does not need the runtime variables; parsed on first use, then reused. */
export function dashboardEnv(): DashboardEnv {
  cached ??= parseEnv(envSchema);
  return cached;
}
