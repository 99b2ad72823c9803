import { ApiError, apiConfig, gql } from "../graphql";
import { dashboardEnv } from "../env";
import { ANALYZE_TIMEOUT_MS } from "../upload";
import { TRY_PAGE_QUERY } from "./documents";
import { apiBaseUrl, type RestErrorBody } from "./rest";
import type { AnalyzedImage, ApiLimits } from "./types";

export interface AnalyzeRequest {
  /** The photo's bytes, sent as they are (no base64 on the way). */
  bytes: Uint8Array;
  /** The photo's media type (image/jpeg, ...). */
  contentType: string;
  store: boolean;
  explain: boolean;
  source?: string;
  campaign?: string;
  clientRequestId?: string;
}

/** The API's REST error body as an ApiError (details keep the hint, as `gql` does). */
function restError(
  status: number,
  body: (RestErrorBody & { error?: { details?: Record<string, unknown> } }) | null,
): ApiError {
  const error = body?.error;
  if (!error?.code) {
    return status === 413
      ? new ApiError("PAYLOAD_TOO_LARGE", "The request is larger than the API accepts.")
      : new ApiError("API_BAD_RESPONSE", `The API answered HTTP ${status} without an analysis.`);
  }
  return new ApiError(error.code, error.message ?? "The API reported an error.", {
    ...(error.details ?? {}),
    ...(error.hint ? { hint: error.hint } : {}),
  });
}

export interface RestClientConfig {
  /** The API's base URL (MOODLENS_API_URL without /graphql). */
  baseUrl: string;
  /** The signed-in user's session token, sent as `Authorization: Session <token>`. */
  sessionToken: string;
  timeoutMs: number;
}

/** Sends one photo to `${baseUrl}/v1/analyze` with an explicit configuration (used directly by tests). */
export async function analyzeImageWith(
  config: RestClientConfig,
  request: AnalyzeRequest,
  signal?: AbortSignal,
): Promise<AnalyzedImage> {
  const target = new URL(`${config.baseUrl}/v1/analyze`);
  target.searchParams.set("store", String(request.store));
  target.searchParams.set("explain", String(request.explain));
  if (request.source) target.searchParams.set("source", request.source);
  if (request.campaign) target.searchParams.set("campaign", request.campaign);
  if (request.clientRequestId) target.searchParams.set("clientRequestId", request.clientRequestId);

  let response: Response;
  let body: ({ analysis?: AnalyzedImage } & RestErrorBody) | null;
  try {
    response = await fetch(target, {
      method: "POST",
      headers: {
        "content-type": request.contentType,
        accept: "application/json",
        authorization: `Session ${config.sessionToken}`,
      },
      body: request.bytes as BodyInit,
      signal: AbortSignal.any([AbortSignal.timeout(config.timeoutMs), ...(signal ? [signal] : [])]),
      cache: "no-store",
    });
    body = (await response.json().catch(() => null)) as typeof body;
  } catch (error) {
    const name = (error as { name?: string } | null)?.name;
    if (name === "TimeoutError" || name === "AbortError") {
      throw new ApiError(
        "API_TIMEOUT",
        `The API did not answer within ${Math.round(config.timeoutMs / 100) / 10} s.`,
      );
    }
    throw new ApiError("API_UNREACHABLE", `The API at ${config.baseUrl} cannot be reached.`);
  }
  if (!response.ok || !body?.analysis) throw restError(response.status, body);
  return body.analysis;
}

/**
 * Analyses a photo through the API's POST /v1/analyze as the signed-in user: the bytes go as the request body,
 * the options as query parameters. Throws `ApiError` like `gql`.
 */
export async function analyzeImage(request: AnalyzeRequest, signal?: AbortSignal): Promise<AnalyzedImage> {
  // Loaded here, not at the top: the session needs Next's request scope, which unit tests of analyzeImageWith lack.
  const { currentUser } = await import("../auth/session");
  const user = await currentUser();
  if (!user) throw new ApiError("UNAUTHENTICATED", "You are not signed in, or your session has ended.");
  const timeoutMs = Math.max(ANALYZE_TIMEOUT_MS, dashboardEnv().MOODLENS_API_TIMEOUT_MS);
  return analyzeImageWith(
    { baseUrl: apiBaseUrl(apiConfig().url), sessionToken: user.token, timeoutMs },
    request,
    signal,
  );
}

export interface TryPageData {
  health: {
    status: string;
    modelLoaded: boolean;
    modelVersion: string | null;
    modelError: string | null;
    backend: string | null;
    limits: ApiLimits;
  };
}

export function fetchTryPage(): Promise<TryPageData> {
  return gql<TryPageData>(TRY_PAGE_QUERY);
}
