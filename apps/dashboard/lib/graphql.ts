/**
 * Server-side GraphQL client: the only code that talks to the API. It runs in server components, route handlers
 * and server actions (never in the browser), forwards the signed-in user's session token (the API authorises the
 * user's role), enforces a timeout and turns every failure (network, timeout, HTTP status, GraphQL errors) into
 * one `ApiError` with a code the pages can explain.
 */
import { dashboardEnv } from "./env";

export type ApiErrorCode =
  | "API_UNREACHABLE"
  | "API_TIMEOUT"
  | "API_BAD_RESPONSE"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "BAD_USER_INPUT"
  | "NOT_FOUND"
  | "PAYLOAD_TOO_LARGE"
  | "RATE_LIMITED"
  | "UNSUPPORTED_IMAGE"
  | "NO_FACE"
  | "CONFIG_INVALID"
  | "INTERNAL"
  | (string & {});

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ApiErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.details = details;
  }
}

interface GraphQLErrorPayload {
  message?: string;
  extensions?: { code?: string; details?: Record<string, unknown>; hint?: string; [key: string]: unknown };
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: GraphQLErrorPayload[];
}

export interface GqlOptions {
  /** Overrides MOODLENS_API_TIMEOUT_MS for slow operations (image analysis). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface GqlClientConfig {
  url: string;
  /** The signed-in user's session token, sent as `Authorization: Session <token>`. */
  sessionToken?: string | undefined;
  timeoutMs: number;
}

function toApiError(error: unknown, config: GqlClientConfig): ApiError {
  if (error instanceof ApiError) return error;
  const name = (error as { name?: string } | null)?.name;
  if (name === "TimeoutError" || name === "AbortError") {
    return new ApiError(
      "API_TIMEOUT",
      `The API did not answer within ${Math.round(config.timeoutMs / 100) / 10} s.`,
    );
  }
  return new ApiError("API_UNREACHABLE", `The API at ${config.url} cannot be reached.`);
}

/** Sends one operation with an explicit configuration (used directly by tests and by `gql`). */
export async function gqlWith<T>(
  config: GqlClientConfig,
  query: string,
  variables: Record<string, unknown> = {},
  options: GqlOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? config.timeoutMs;
  const effective = { ...config, timeoutMs };
  const signals = [AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])];
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (config.sessionToken) headers.authorization = `Session ${config.sessionToken}`;

  let response: Response;
  let body: GraphQLResponse<T>;
  try {
    response = await fetch(config.url, {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.any(signals),
      cache: "no-store",
    });
    const text = await response.text();
    try {
      body = JSON.parse(text) as GraphQLResponse<T>;
    } catch {
      throw new ApiError(
        response.status === 413 ? "PAYLOAD_TOO_LARGE" : "API_BAD_RESPONSE",
        response.status === 413
          ? "The request is larger than the API accepts."
          : `The API answered HTTP ${response.status} without a GraphQL body.`,
      );
    }
  } catch (error) {
    throw toApiError(error, effective);
  }

  const firstError = body.errors?.[0];
  if (firstError) {
    const code = firstError.extensions?.code ?? (response.status === 401 ? "UNAUTHENTICATED" : "INTERNAL");
    const details = {
      ...(firstError.extensions?.details ?? {}),
      ...(firstError.extensions?.hint ? { hint: firstError.extensions.hint } : {}),
    };
    throw new ApiError(code, firstError.message ?? "The API reported an error.", details);
  }
  if (!response.ok || body.data == null) {
    throw new ApiError(
      response.status === 401 ? "UNAUTHENTICATED" : "API_BAD_RESPONSE",
      `The API answered HTTP ${response.status} without data.`,
    );
  }
  return body.data;
}

export function apiConfig(): GqlClientConfig {
  const env = dashboardEnv();
  return {
    url: env.MOODLENS_API_URL,
    timeoutMs: env.MOODLENS_API_TIMEOUT_MS,
  };
}

/** Sends one operation to the configured API as the signed-in user. Throws `ApiError`. */
export async function gql<T>(
  query: string,
  variables?: Record<string, unknown>,
  options?: GqlOptions,
): Promise<T> {
  let config: GqlClientConfig;
  let user;
  try {
    config = apiConfig();
    // Loaded here, not at the top: the session needs Next's request scope, which unit tests of gqlWith lack.
    const { currentUser } = await import("./auth/session");
    user = await currentUser();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if ((error as { code?: string } | null)?.code === "CONFIG_INVALID")
      throw new ApiError("CONFIG_INVALID", message);
    throw new ApiError("INTERNAL", `Your session could not be checked: ${message}`);
  }
  if (!user) throw new ApiError("UNAUTHENTICATED", "You are not signed in, or your session has ended.");
  return gqlWith<T>({ ...config, sessionToken: user.token }, query, variables, options);
}

export type Result<T> = { ok: true; data: T } | { ok: false; error: ApiError };

/** Like `gql` but never throws, for pages that render an error state instead of failing. */
export async function tryGql<T>(
  query: string,
  variables?: Record<string, unknown>,
  options?: GqlOptions,
): Promise<Result<T>> {
  try {
    return { ok: true, data: await gql<T>(query, variables, options) };
  } catch (error) {
    return { ok: false, error: error instanceof ApiError ? error : new ApiError("INTERNAL", String(error)) };
  }
}

/** Runs any API-calling function and captures its ApiError as a value. */
export async function tryResult<T>(fn: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, data: await fn() };
  } catch (error) {
    return {
      ok: false,
      error:
        error instanceof ApiError
          ? error
          : new ApiError("INTERNAL", error instanceof Error ? error.message : String(error)),
    };
  }
}

/** A plain, serialisable description of an error for client components and route handler JSON. */
export interface ApiErrorInfo {
  code: string;
  title: string;
  message: string;
  hint?: string;
}

export function describeApiError(error: ApiError): ApiErrorInfo {
  const hint = typeof error.details?.hint === "string" ? error.details.hint : undefined;
  switch (error.code) {
    case "API_UNREACHABLE":
      return {
        code: error.code,
        title: "The Moodlens API is not reachable",
        message: error.message,
        hint: "Start the API (npm start from the repository root) or point MOODLENS_API_URL at it, then retry.",
      };
    case "API_TIMEOUT":
      return {
        code: error.code,
        title: "The API is too slow to answer",
        message: error.message,
        hint: "Try a shorter date range, or retry in a moment. The limit is MOODLENS_API_TIMEOUT_MS.",
      };
    case "UNAUTHENTICATED":
      return {
        code: error.code,
        title: "Please sign in again",
        message: error.message,
        hint: "Your session has ended or your account was disabled. Sign in again (/sign-in).",
      };
    case "FORBIDDEN":
      return {
        code: error.code,
        title: "Your role may not use this",
        message: error.message,
        hint:
          hint ??
          "Analysts see statistics and Try it; ML staff also experiments and models; only admins promote models. An admin can change your role (npm run users -- set-role).",
      };
    case "MODEL_NOT_TRAINED":
      return {
        code: error.code,
        title: "No expression model is loaded",
        message: error.message,
        hint: "Train a model (npm run trainer -- train) or promote a trained version on the Models page, then retry.",
      };
    case "UNSUPPORTED_IMAGE":
      return {
        code: error.code,
        title: "This file is not an image the API can read",
        message: error.message,
        ...(hint ? { hint } : {}),
      };
    case "PAYLOAD_TOO_LARGE":
      return {
        code: error.code,
        title: "The photo is too large",
        message: error.message,
        hint: hint ?? "Choose a smaller photo (fewer pixels or bytes).",
      };
    case "RATE_LIMITED":
      return {
        code: error.code,
        title: "Too many requests",
        message: error.message,
        hint: hint ?? "Wait a few seconds and retry.",
      };
    case "CONFIG_INVALID":
      return {
        code: error.code,
        title: "The dashboard is misconfigured",
        message: error.message,
        hint: "Check the environment variables in apps/dashboard/README.md.",
      };
    case "BAD_USER_INPUT":
      return {
        code: error.code,
        title: "The request was not accepted",
        message: error.message,
        ...(hint ? { hint } : {}),
      };
    default:
      return {
        code: error.code,
        title: "The API reported an error",
        message: error.message,
        ...(hint ? { hint } : {}),
      };
  }
}
