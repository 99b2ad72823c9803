import type { ErrorRequestHandler, Response } from "express";
import { HTTP_STATUS, retryAfterSeconds, type ClientError, type GraphQLCode } from "../errors";

/** JSON error body shared by the REST routes and body-parser failures in front of /graphql (GraphQL-shaped). */
export function sendError(res: Response, error: Pick<ClientError, "code" | "message"> & Partial<ClientError>): void {
  const seconds = error.code === "RATE_LIMITED" ? retryAfterSeconds(error as ClientError) : undefined;
  if (seconds !== undefined) res.setHeader("retry-after", String(seconds));
  res.status(HTTP_STATUS[error.code]).json({
    errors: [
      {
        message: error.message,
        extensions: { code: error.code, ...(error.details ? { details: error.details } : {}), ...(error.hint ? { hint: error.hint } : {}) },
      },
    ],
  });
}

/** body-parser / express failures (too large, malformed JSON) as typed JSON errors; nothing else leaks. */
export function httpErrorHandler(): ErrorRequestHandler {
  return (error: { type?: string; status?: number; message?: string; limit?: number }, _req, res, next) => {
    if (res.headersSent) return next(error);
    if (error.type === "entity.too.large") {
      return sendError(res, {
        code: "PAYLOAD_TOO_LARGE",
        message: `the request body exceeds the limit of ${error.limit ?? "the configured"} bytes`,
        hint: "send a smaller image, or ask the operator to raise MOODLENS_MAX_BODY_BYTES / MOODLENS_MAX_IMAGE_BYTES",
      });
    }
    if (error.type === "entity.parse.failed") {
      return sendError(res, { code: "BAD_USER_INPUT", message: "the request body is not valid JSON" });
    }
    if (typeof error.status === "number" && error.status >= 400 && error.status < 500) {
      const code: GraphQLCode = error.status === 415 ? "UNSUPPORTED_IMAGE" : "BAD_USER_INPUT";
      return sendError(res, { code, message: error.message ?? "bad request" });
    }
    return sendError(res, { code: "INTERNAL", message: "internal server error" });
  };
}
