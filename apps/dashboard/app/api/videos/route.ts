/**
 * POST /api/videos?source&campaign&sampleFps&clientRequestId&fileName — the browser's way to submit a video. The
 * body is the raw file (Content-Type video/*, sent with XMLHttpRequest so the page can show upload progress). The
 * route checks the user's role (analyze) and streams the bytes on to the API's POST /v1/videos as that user, without
 * keeping them; the answer is the queued job.
 */
import { apiBaseUrl, jobFromUploadAnswer, type RestErrorBody } from "@/lib/api/rest";
import { refusalFor } from "@/lib/auth/route-guard";
import { currentUser } from "@/lib/auth/session";
import { dashboardEnv } from "@/lib/env";
import { ACCEPTED_VIDEO_TYPES, checkVideo } from "@/lib/video-upload";

export const dynamic = "force-dynamic";

const json = (body: unknown, status = 200) =>
  Response.json(body, { status, headers: { "cache-control": "no-store" } });

const fail = (status: number, code: string, title: string, message: string, hint?: string) =>
  json({ ok: false, error: { code, title, message, ...(hint ? { hint } : {}) } }, status);

const FORWARDED_PARAMS = [
  "source",
  "campaign",
  "sampleFps",
  "clientRequestId",
  "capturedAt",
  "fileName",
] as const;

export async function POST(request: Request) {
  const refusal = await refusalFor("analyze", "analyse videos");
  if (refusal) {
    const { status, ...error } = refusal;
    return json({ ok: false, error }, status);
  }
  const user = await currentUser();
  if (!user) return fail(401, "UNAUTHENTICATED", "Please sign in", "Sign in to the dashboard first.");

  const url = new URL(request.url);
  const contentType = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const size = Number(request.headers.get("content-length") ?? "NaN");
  const fileName = url.searchParams.get("fileName")?.slice(0, 200) || "video";
  const problem = checkVideo(
    { name: fileName, type: contentType, size: Number.isFinite(size) ? size : 1 },
    dashboardEnv().MOODLENS_DASHBOARD_MAX_VIDEO_BYTES,
  );
  if (problem || !(ACCEPTED_VIDEO_TYPES as readonly string[]).includes(contentType) || !request.body) {
    const tooLarge = problem?.kind === "size";
    return fail(
      tooLarge ? 413 : 415,
      tooLarge ? "PAYLOAD_TOO_LARGE" : "UNSUPPORTED_VIDEO",
      "This file cannot be analysed",
      problem?.message ?? `Send the video bytes with Content-Type ${ACCEPTED_VIDEO_TYPES.join(", ")}.`,
    );
  }

  const target = new URL(`${apiBaseUrl()}/v1/videos`);
  for (const name of FORWARDED_PARAMS) {
    const value = url.searchParams.get(name)?.trim();
    if (value) target.searchParams.set(name, value.slice(0, 200));
  }
  if (!target.searchParams.has("source")) target.searchParams.set("source", "dashboard");

  let response: Response;
  try {
    response = await fetch(target, {
      method: "POST",
      headers: {
        "content-type": contentType,
        ...(Number.isFinite(size) ? { "content-length": String(size) } : {}),
        authorization: `Session ${user.token}`,
        accept: "application/json",
      },
      body: request.body,
      // Streams the upload through instead of holding the whole video in the dashboard's memory.
      duplex: "half",
      signal: request.signal,
    } as RequestInit & { duplex: "half" });
  } catch {
    return fail(
      502,
      "API_UNREACHABLE",
      "The Moodlens API is not reachable",
      `The API at ${apiBaseUrl()} cannot be reached.`,
      "Start the API (npm start from the repository root) or point MOODLENS_API_URL at it, then retry.",
    );
  }
  const body = (await response.json().catch(() => null)) as (RestErrorBody & Record<string, unknown>) | null;
  const job = response.ok ? jobFromUploadAnswer(body) : null;
  if (job) return json({ ok: true, job }, 202);
  const error = body?.error;
  return fail(
    response.ok ? 502 : response.status,
    error?.code ?? (response.status === 404 ? "NOT_AVAILABLE" : "API_BAD_RESPONSE"),
    response.status === 404 ? "This API does not analyse videos yet" : "The video was not accepted",
    error?.message ?? `The API answered HTTP ${response.status}.`,
    error?.hint,
  );
}
