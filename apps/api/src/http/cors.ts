import type { RequestHandler } from "express";

const ALLOWED_HEADERS =
  "authorization, content-type, apollo-require-preflight, x-apollo-operation-name, idempotency-key";

/**
 * CORS for the browser origins an operator lists in MOODLENS_CORS_ORIGINS (none by default: the dashboard calls
 * the API from its server). Requests from other origins get no CORS headers, so browsers keep them out.
 */
export function cors(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin && (allowed.has(origin) || allowed.has("*"))) {
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("vary", "origin");
      res.setHeader("access-control-allow-headers", ALLOWED_HEADERS);
      res.setHeader("access-control-allow-methods", "GET, POST, OPTIONS");
      res.setHeader("access-control-max-age", "600");
    }
    if (req.method === "OPTIONS") {
      res.status(204).end();
      return;
    }
    next();
  };
}
