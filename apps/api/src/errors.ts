import { HeaderMap } from "@apollo/server";
import { unwrapResolverError } from "@apollo/server/errors";
import { AppError, isAppError, type ErrorCode } from "@moodlens/shared";
import { GraphQLError, type GraphQLFormattedError } from "graphql";

/**
 * The ONE mapping from platform error codes to GraphQL `extensions.code`. Client mistakes keep their meaning;
 * NOT_FOUND/CONFLICT are input problems to a client; server-side failures either get a dedicated code the client can act on
 * (MODEL_NOT_TRAINED, DATABASE_UNAVAILABLE: retry later) or are masked as INTERNAL.
 */
export const GRAPHQL_CODES = {
  BAD_USER_INPUT: "BAD_USER_INPUT",
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "BAD_USER_INPUT",
  CONFLICT: "BAD_USER_INPUT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  RATE_LIMITED: "RATE_LIMITED",
  UNSUPPORTED_IMAGE: "UNSUPPORTED_IMAGE",
  NO_FACE: "BAD_USER_INPUT",
  DATASET_INVALID: "BAD_USER_INPUT",
  MODEL_NOT_TRAINED: "MODEL_NOT_TRAINED",
  DATABASE_UNAVAILABLE: "DATABASE_UNAVAILABLE",
  MODEL_INVALID: "INTERNAL",
  CONFIG_INVALID: "INTERNAL",
  INTERNAL: "INTERNAL",
} as const satisfies Record<ErrorCode, string>;

export type GraphQLCode = (typeof GRAPHQL_CODES)[ErrorCode];

/** HTTP status for errors raised before execution (auth, rate limit, body limits) and for the REST route. */
export const HTTP_STATUS: Record<GraphQLCode, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  UNSUPPORTED_IMAGE: 415,
  MODEL_NOT_TRAINED: 503,
  DATABASE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** Codes whose message is safe and useful to show a client; INTERNAL messages are replaced. */
const MASKED = new Set<GraphQLCode>(["INTERNAL"]);
const INTERNAL_MESSAGE = "internal server error";

export interface ClientError {
  code: GraphQLCode;
  appCode: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
  hint?: string;
}

/**
 * Turns anything thrown into what a client may see. Unknown errors become INTERNAL with a generic message;
 * `toDatabaseError` (from @moodlens/db) may recognise driver errors as DATABASE_UNAVAILABLE first.
 */
export function toClientError(
  error: unknown,
  recognise?: (error: unknown) => AppError | undefined,
): ClientError {
  const appError = isAppError(error) ? error : recognise?.(error);
  if (!appError) return { code: "INTERNAL", appCode: "INTERNAL", message: INTERNAL_MESSAGE };
  const code = GRAPHQL_CODES[appError.code];
  if (MASKED.has(code)) return { code, appCode: appError.code, message: INTERNAL_MESSAGE };
  return {
    code,
    appCode: appError.code,
    message: appError.message,
    ...(appError.details ? { details: appError.details } : {}),
    ...(appError.hint ? { hint: appError.hint } : {}),
  };
}

/** A GraphQLError carrying the mapped code, for places that must throw before execution (context creation). */
export function toGraphQLError(
  error: unknown,
  recognise?: (error: unknown) => AppError | undefined,
): GraphQLError {
  const client = toClientError(error, recognise);
  return new GraphQLError(client.message, {
    extensions: {
      code: client.code,
      appCode: client.appCode,
      ...(client.details ? { details: client.details } : {}),
      ...(client.hint ? { hint: client.hint } : {}),
      http: { status: HTTP_STATUS[client.code], headers: retryAfterHeader(client) },
    },
  });
}

/** Rate-limited clients learn when to come back (seconds), as HTTP intends. */
export function retryAfterSeconds(client: ClientError): number | undefined {
  const value = client.details?.retryAfterSeconds;
  return typeof value === "number" ? value : undefined;
}

function retryAfterHeader(client: ClientError): HeaderMap {
  const headers = new HeaderMap();
  const seconds = retryAfterSeconds(client);
  if (seconds !== undefined) headers.set("retry-after", String(seconds));
  return headers;
}

/** GraphQL-level codes produced by graphql-js / Apollo themselves (parse, validation, variable coercion). */
const PROTOCOL_CODES = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_USER_INPUT",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
]);

export interface ErrorFormatterOptions {
  recognise?: (error: unknown) => AppError | undefined;
  log?: (error: unknown) => void;
}

/**
 * Apollo's `formatError`: every error leaves the server through here. AppErrors get their mapped code; protocol
 * errors keep theirs; everything else is logged and masked. Stack traces never reach clients.
 */
export function createErrorFormatter(options: ErrorFormatterOptions = {}) {
  return (formatted: GraphQLFormattedError, raw: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(raw);
    const existingCode = formatted.extensions?.code;
    const base = {
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
    };

    // Errors we already mapped (thrown as GraphQLError by toGraphQLError) and graphql-js protocol errors.
    if (
      typeof existingCode === "string" &&
      !isAppError(original) &&
      (PROTOCOL_CODES.has(existingCode) || existingCode in HTTP_STATUS)
    ) {
      const {
        stacktrace: _stack,
        exception: _exception,
        http: _http,
        ...extensions
      } = formatted.extensions ?? {};
      if (existingCode === "INTERNAL")
        return { ...base, message: INTERNAL_MESSAGE, extensions: { code: "INTERNAL" } };
      return { ...base, message: formatted.message, extensions };
    }

    // Apollo's own request errors without a code (a persisted-query hash that does not match its query) carry a
    // 4xx status: the client's mistake, reported as such instead of being masked as INTERNAL.
    if (
      original instanceof GraphQLError &&
      !original.originalError &&
      isClientStatus(original.extensions.http)
    ) {
      return { ...base, message: formatted.message, extensions: { code: "BAD_REQUEST" } };
    }

    const client = toClientError(original, options.recognise);
    if (client.code === "INTERNAL" || client.code === "DATABASE_UNAVAILABLE") options.log?.(original);
    return {
      ...base,
      message: client.message,
      extensions: {
        code: client.code,
        appCode: client.appCode,
        ...(client.details ? { details: client.details } : {}),
        ...(client.hint ? { hint: client.hint } : {}),
      },
    };
  };
}

function isClientStatus(http: unknown): boolean {
  const status = (http as { status?: unknown } | undefined)?.status;
  return typeof status === "number" && status >= 400 && status < 500;
}

/** Shorthand for resolvers: `throw badInput("first must be 1..100")`. */
export const badInput = (message: string, details?: Record<string, unknown>) =>
  new AppError("BAD_USER_INPUT", message, details ? { details } : {});
