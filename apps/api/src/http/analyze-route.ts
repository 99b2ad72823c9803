import type { ApolloServer } from "@apollo/server";
import express, { Router } from "express";
import { createContext, type ApiContext } from "../context";
import { HTTP_STATUS, toClientError, type GraphQLCode } from "../errors";
import type { ApiRuntime } from "../runtime";
import { httpErrorHandler, sendRestError } from "./errors";

/** Content types a browser cannot send cross-site without a CORS preflight (so CSRF stays impossible). */
const IMAGE_BODY = /^(image\/[\w.+-]+|application\/octet-stream)\s*(;|$)/i;

export const ANALYZE_OPERATION = /* GraphQL */ `
  mutation RestAnalyze($input: AnalyzeImageInput!) {
    analyzeImage(input: $input) {
      id modelVersion backend faceCount skipped source campaign capturedAt createdAt clientRequestId stored deduplicated
      timings { decodeMs detectMs classifyMs explainMs totalMs }
      image { width height format bytes }
      faces {
        index detectionScore dominantEmotion valence saliency
        box { x y width height }
        emotions { emotion probability }
        landmarks { x y }
      }
    }
  }`;

const flag = (value: unknown): boolean | undefined =>
  value === "true" || value === "1" ? true : value === "false" || value === "0" ? false : undefined;
const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * POST /v1/analyze: the image file as the raw request body (Content-Type image/* or application/octet-stream),
 * options as query parameters (source, campaign, capturedAt, clientRequestId, store, explain) or the
 * Idempotency-Key header. Runs the same GraphQL mutation internally, so auth, scopes, limits, rate limits and
 * error codes are exactly those of analyzeImage; errors answer in the REST shape `{ error: { code, message, hint } }`.
 */
export function analyzeRoute(runtime: ApiRuntime, apollo: ApolloServer<ApiContext>): Router {
  const router = Router();
  const rawBody = express.raw({ type: () => true, limit: runtime.config.limits.maxImageBytes });
  router.post("/v1/analyze", (req, res, next) => {
    if (!IMAGE_BODY.test(req.headers["content-type"] ?? "")) {
      sendRestError(res, {
        code: "UNSUPPORTED_IMAGE",
        message: "send the image bytes as the body with Content-Type image/<format> or application/octet-stream",
      });
      return;
    }
    next();
  }, rawBody, async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let contextValue: ApiContext;
    try {
      contextValue = await createContext(runtime, { authorization: req.headers.authorization });
    } catch (error) {
      sendRestError(res, toClientError(error));
      return;
    }
    const query = req.query;
    const input = {
      image: body.toString("base64"),
      source: text(query.source),
      campaign: text(query.campaign),
      capturedAt: text(query.capturedAt),
      clientRequestId: text(query.clientRequestId) ?? text(req.headers["idempotency-key"]),
      store: flag(query.store) ?? true,
      explain: flag(query.explain) ?? false,
    };
    const response = await apollo.executeOperation({ query: ANALYZE_OPERATION, variables: { input } }, { contextValue });
    if (response.body.kind !== "single") {
      sendRestError(res, { code: "INTERNAL", message: "internal server error" });
      return;
    }
    const { data, errors } = response.body.singleResult;
    const first = errors?.[0];
    if (first) {
      const code = (typeof first.extensions?.code === "string" && first.extensions.code in HTTP_STATUS ? first.extensions.code : "BAD_USER_INPUT") as GraphQLCode;
      const { hint, details } = (first.extensions ?? {}) as { hint?: string; details?: Record<string, unknown> };
      sendRestError(res, { code, message: first.message, ...(hint ? { hint } : {}), ...(details ? { details } : {}) });
      return;
    }
    res.json({ analysis: (data as { analyzeImage: unknown }).analyzeImage });
  });
  // The raw-body parser's failures (too large) in the same REST shape.
  router.use("/v1/analyze", httpErrorHandler(sendRestError));
  return router;
}
