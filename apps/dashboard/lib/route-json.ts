/** JSON answers of the dashboard's route handlers: `{ ok: true, … }` or `{ ok: false, error: ApiErrorInfo }`. */
import { ApiError, describeApiError } from "./graphql";

export const json = (body: unknown, status = 200) =>
  Response.json(body, { status, headers: { "cache-control": "no-store" } });

const STATUS_BY_CODE: Record<string, number> = {
  BAD_USER_INPUT: 400,
  UNSUPPORTED_IMAGE: 415,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  API_TIMEOUT: 504,
  MODEL_NOT_TRAINED: 503,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
};

export function errorResponse(error: unknown): Response {
  const apiError =
    error instanceof ApiError
      ? error
      : new ApiError("INTERNAL", error instanceof Error ? error.message : String(error));
  return json({ ok: false, error: describeApiError(apiError) }, STATUS_BY_CODE[apiError.code] ?? 502);
}
