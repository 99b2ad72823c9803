import type { ErrorRequestHandler, Response } from "express";
import { HTTP_STATUS, retryAfterSeconds, type ClientError, type GraphQLCode } from "../errors";

type HttpError = Pick<ClientError, "code" | "message"> & Partial<ClientError>;

function setStatus(res: Response, error: HttpError): Response {
  const seconds = error.code === "RATE_LIMITED" ? retryAfterSeconds(error as ClientError) : undefined;
  if (seconds !== undefined) res.setHeader("retry-after", String(seconds));
  return res.status(HTTP_STATUS[error.code]);
}

/** JSON error body of body-parser failures in front of /graphql (GraphQL-shaped: `{ errors: [...] }`). */
export function sendError(res: Response, error: HttpError): void {
  setStatus(res, error).json({
    errors: [
      {
        message: error.message,
        extensions: {
          code: error.code,
          ...(error.details ? { details: error.details } : {}),
          ...(error.hint ? { hint: error.hint } : {}),
        },
      },
    ],
  });
}

/**
 * The REST routes' error body (POST /v1/analyze): `{ "error": { code, message, hint?, details? } }`, one error,
 * no GraphQL fields (locations, path); the HTTP status and Retry-After as for GraphQL.
 */
export function sendRestError(res: Response, error: HttpError): void {
  setStatus(res, error).json({
    error: {
      code: error.code,
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
      ...(error.details ? { details: error.details } : {}),
    },
  });
}

type HttpFailure = { type?: string; status?: number; message?: string; limit?: number };

/** body-parser / express failures (too large, malformed JSON) as typed JSON errors; nothing else leaks. */
export function httpErrorHandler(
  send: (res: Response, error: HttpError) => void = sendError,
): ErrorRequestHandler {
  return (error: HttpFailure, _req, res, next) => {
    if (res.headersSent) return next(error);
    send(res, httpFailureError(error));
  };
}

function httpFailureError(error: HttpFailure): HttpError {
  if (error.type === "entity.too.large") {
    return {
      code: "PAYLOAD_TOO_LARGE",
      message: `the request body exceeds the limit of ${error.limit ?? "the configured"} bytes`,
      hint: "send a smaller image, or ask the operator to raise MOODLENS_MAX_BODY_BYTES / MOODLENS_MAX_IMAGE_BYTES",
    };
  }
  if (error.type === "entity.parse.failed")
    return { code: "BAD_USER_INPUT", message: "the request body is not valid JSON" };
  if (typeof error.status === "number" && error.status >= 400 && error.status < 500) {
    const code: GraphQLCode = error.status === 415 ? "UNSUPPORTED_IMAGE" : "BAD_USER_INPUT";
    return { code, message: error.message ?? "bad request" };
  }
  return { code: "INTERNAL", message: "internal server error" };
}
