import { toDatabaseError } from "@moodlens/db";
import { AppError, isAppError } from "@moodlens/shared";
import express, { Router, type Request } from "express";
import { requireScope } from "../auth/scopes";
import { createContext } from "../context";
import { toClientError } from "../errors";
import { parseInstant } from "../resolvers/scalars";
import type { ApiRuntime } from "../runtime";
import { analyzeImage, type AnalyzeRequest } from "../services/analysis";
import { analysisJson } from "./analysis-json";
import { httpErrorHandler, sendRestError } from "./errors";

/** Content types a browser cannot send cross-site without a CORS preflight (so CSRF stays impossible). */
const IMAGE_BODY = /^(image\/[\w.+-]+|application\/octet-stream)\s*(;|$)/i;

const flag = (value: unknown): boolean | undefined =>
  value === "true" || value === "1" ? true : value === "false" || value === "0" ? false : undefined;
const text = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;

function instant(value: string | undefined, field: string): Date | undefined {
  if (value === undefined) return undefined;
  try {
    return parseInstant(value);
  } catch (error) {
    throw new AppError("BAD_USER_INPUT", `${field}: ${(error as Error).message}`, { details: { field } });
  }
}

/** The request's body is the image; its options come as query parameters or the Idempotency-Key header. */
function requestOf(req: Request): AnalyzeRequest {
  const query = req.query;
  return {
    bytes: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
    source: text(query.source) ?? null,
    campaign: text(query.campaign) ?? null,
    capturedAt: instant(text(query.capturedAt), "capturedAt") ?? null,
    clientRequestId: text(query.clientRequestId) ?? text(req.headers["idempotency-key"]) ?? null,
    store: flag(query.store) ?? true,
    explain: flag(query.explain) ?? false,
  };
}

const recogniseDatabaseError = (error: unknown): AppError | undefined => {
  const mapped = toDatabaseError(error);
  return isAppError(mapped) ? mapped : undefined;
};

/**
 * POST /v1/analyze: the image file as the raw request body (Content-Type image/* or application/octet-stream),
 * options as query parameters (source, campaign, capturedAt, clientRequestId, store, explain) or the
 * Idempotency-Key header. The body's bytes go straight to the analysis service, with the same authentication,
 * scope, rate limits (per API key, or per client address without one) and error codes as analyzeImage; errors
 * answer in the REST shape `{ error: { code, message, hint, details } }`.
 */
export function analyzeRoute(runtime: ApiRuntime): Router {
  const router = Router();
  const rawBody = express.raw({ type: () => true, limit: runtime.config.limits.maxImageBytes });
  const checkContentType: express.RequestHandler = (req, res, next) => {
    if (!IMAGE_BODY.test(req.headers["content-type"] ?? "")) {
      sendRestError(res, {
        code: "UNSUPPORTED_IMAGE",
        message:
          "send the image bytes as the body with Content-Type image/<format> or application/octet-stream",
      });
      return;
    }
    next();
  };
  router.post("/v1/analyze", checkContentType, rawBody, async (req, res) => {
    try {
      const context = await createContext(runtime, {
        authorization: req.headers.authorization,
        clientAddress: req.socket.remoteAddress,
      });
      requireScope(context.viewer, "analyze");
      const analysis = await analyzeImage(context, requestOf(req));
      res.json({ analysis: analysisJson(analysis) });
    } catch (error) {
      const client = toClientError(error, recogniseDatabaseError);
      if (client.code === "INTERNAL" || client.code === "DATABASE_UNAVAILABLE")
        runtime.log.error("request failed", { route: "/v1/analyze", error: String(error) });
      sendRestError(res, client);
    }
  });
  // The raw-body parser's failures (too large) in the same REST shape.
  router.use("/v1/analyze", httpErrorHandler(sendRestError));
  return router;
}
