import { toDatabaseError } from "@moodlens/db";
import { AppError, isAppError } from "@moodlens/shared";
import { Router, type Request, type RequestHandler } from "express";
import { requireScope } from "../auth/scopes";
import { createContext } from "../context";
import { toClientError } from "../errors";
import type { ApiRuntime } from "../runtime";
import { DEFAULT_MAX_VIDEO_BYTES, submitVideo, type SubmitVideoRequest } from "../services/videos";
import { httpErrorHandler, sendRestError } from "./errors";

/** Video bodies a browser cannot send cross-site without a CORS preflight (so CSRF stays impossible). */
const VIDEO_BODY = /^(video\/(mp4|webm|quicktime|x-matroska)|application\/octet-stream)\s*(;|$)/i;

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;

function instant(value: string | undefined, field: string): Date | undefined {
  if (value === undefined) return undefined;
  // ISO-8601 with a date and an offset (or Z), like the DateTime scalar.
  const date = /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/i.test(value)
    ? new Date(value)
    : new Date(NaN);
  if (Number.isNaN(date.getTime())) {
    throw new AppError(
      "BAD_USER_INPUT",
      `${field} must be an ISO-8601 instant such as 2026-01-31T12:00:00Z`,
      { details: { field } },
    );
  }
  return date;
}

function fps(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed))
    throw new AppError("BAD_USER_INPUT", "sampleFps must be a number", { details: { field: "sampleFps" } });
  return parsed;
}

function tooLarge(maxBytes: number, bytes?: number): AppError {
  return new AppError("PAYLOAD_TOO_LARGE", `the video exceeds the upload limit of ${maxBytes} bytes`, {
    details: { maxBytes, ...(bytes !== undefined ? { bytes } : {}) },
    hint: "split the video, lower its bit rate, or ask the operator to raise the limit",
  });
}

/**
 * Reads the body, refusing it as soon as it is known to be too large: from Content-Length before reading anything,
 * else when the running count passes the limit (body-parser would read the whole rest before answering).
 */
function readBody(req: Request, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(maxBytes, declared));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.byteLength;
      if (received > maxBytes) {
        req.off("data", onData);
        req.pause();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks, received)));
    req.once("error", reject);
    req.once("aborted", () => reject(new AppError("BAD_USER_INPUT", "the upload was interrupted")));
  });
}

function requestOf(req: Request, bytes: Buffer, storeVideo: boolean): SubmitVideoRequest {
  const query = req.query;
  return {
    bytes,
    source: text(query.source) ?? null,
    campaign: text(query.campaign) ?? null,
    capturedAt: instant(text(query.capturedAt), "capturedAt") ?? null,
    sampleFps: fps(text(query.sampleFps)) ?? null,
    clientRequestId: text(query.clientRequestId) ?? text(req.headers["idempotency-key"]) ?? null,
    fileName: text(query.fileName) ?? null,
    mimeType: (req.headers["content-type"] ?? "").split(";")[0]!.trim() || null,
    storeVideo,
  };
}

const recogniseDatabaseError = (error: unknown): AppError | undefined => {
  const mapped = toDatabaseError(error);
  return isAppError(mapped) ? mapped : undefined;
};

export interface VideosRouteOptions {
  /** Largest upload (default: config.maxVideoBytes); enforced while the body streams in (413 before the rest is read). */
  maxBytes?: number;
  /** Keep uploads after analysis (default: config.storeVideos, MOODLENS_STORE_VIDEOS; off: deleted once the job ends). */
  storeVideos?: boolean;
}

/**
 * POST /v1/videos (docs/video.md): the video file (mp4, webm, mov) as the raw body, metadata as query parameters
 * (source, campaign, capturedAt, sampleFps = 2, clientRequestId or the Idempotency-Key header, fileName). Same
 * authentication, scope (analyze) and rate limits as POST /v1/analyze. Answers 202 `{ job }` as soon as the upload
 * is stored and queued; poll `videoJob(id)` for progress. Errors in the REST shape `{ error: { code, message,
 * hint, details } }`; a body over the limit is cut off with 413 PAYLOAD_TOO_LARGE while streaming.
 */
export function videosRoute(runtime: ApiRuntime, options: VideosRouteOptions = {}): Router {
  const router = Router();
  const maxBytes = options.maxBytes ?? runtime.config.maxVideoBytes ?? DEFAULT_MAX_VIDEO_BYTES;
  const storeVideos = options.storeVideos ?? runtime.config.storeVideos ?? false;
  const checkContentType: RequestHandler = (req, res, next) => {
    if (!VIDEO_BODY.test(req.headers["content-type"] ?? "")) {
      res.setHeader("connection", "close"); // the body is not read
      sendRestError(res, {
        code: "BAD_USER_INPUT",
        message:
          "send the video bytes as the body with Content-Type video/mp4, video/webm, video/quicktime or application/octet-stream",
      });
      return;
    }
    next();
  };
  // Authenticate before reading a possibly huge body: a caller without the scope is refused at once.
  const authorize: RequestHandler = async (req, res, next) => {
    try {
      const context = await createContext(runtime, {
        authorization: req.headers.authorization,
        clientAddress: req.socket.remoteAddress,
      });
      requireScope(context.viewer, "analyze");
      res.locals.context = context;
      next();
    } catch (error) {
      res.setHeader("connection", "close"); // the upload is not read: answer, then close
      sendRestError(res, toClientError(error, recogniseDatabaseError));
    }
  };
  router.post("/v1/videos", checkContentType, authorize, async (req, res) => {
    try {
      const bytes = await readBody(req, maxBytes);
      const job = await submitVideo(res.locals.context, requestOf(req, bytes, storeVideos));
      res.status(202).json({ job });
    } catch (error) {
      const client = toClientError(error, recogniseDatabaseError);
      // The rest of a refused body is not read: close the connection after the answer instead of draining it.
      if (!req.complete) res.setHeader("connection", "close");
      if (client.code === "INTERNAL" || client.code === "DATABASE_UNAVAILABLE")
        runtime.log.error("request failed", { route: "/v1/videos", error: String(error) });
      sendRestError(res, client);
    }
  });
  router.use("/v1/videos", httpErrorHandler(sendRestError));
  return router;
}
