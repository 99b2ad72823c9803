/**
 * The API's REST routes (POST /v1/videos) sit beside its GraphQL endpoint: their base is MOODLENS_API_URL without
 * the trailing /graphql. Like `gql`, calls go out as the signed-in user (`Authorization: Session <token>`).
 */
import { dashboardEnv } from "../env";

export function apiBaseUrl(graphqlUrl: string = dashboardEnv().MOODLENS_API_URL): string {
  const url = new URL(graphqlUrl);
  url.pathname = url.pathname.replace(/\/graphql\/?$/, "") || "/";
  url.search = "";
  return url.toString().replace(/\/$/, "");
}

/** What the API's REST errors look like: `{ error: { code, message, hint } }`. */
export interface RestErrorBody {
  error?: { code?: string; message?: string; hint?: string };
}

/** The job in a POST /v1/videos answer, whichever envelope the API uses (`{ job }`, `{ videoJob }` or the job). */
export function jobFromUploadAnswer(body: unknown): { id: string } | null {
  if (!body || typeof body !== "object") return null;
  const record = body as Record<string, unknown>;
  for (const candidate of [record.job, record.videoJob, record.data, record]) {
    if (
      candidate &&
      typeof candidate === "object" &&
      typeof (candidate as { id?: unknown }).id === "string"
    ) {
      return candidate as { id: string };
    }
  }
  return null;
}
