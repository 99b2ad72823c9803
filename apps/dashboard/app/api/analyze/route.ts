/**
 * POST /api/analyze (multipart: image, store, explain, source, campaign) — the browser's way to analyse a photo.
 * The route checks the signed-in user's role (analyze) and sends the image's bytes to the API's POST /v1/analyze as
 * that user (no base64 on the way); with store=false (the default) nothing is persisted anywhere and the photo is
 * not kept by the dashboard either.
 */
import { randomUUID } from "node:crypto";
import { analyzeImage } from "@/lib/api/analyze";
import { ApiError, describeApiError } from "@/lib/graphql";
import { refusalFor } from "@/lib/auth/route-guard";
import { dashboardEnv } from "@/lib/env";
import { checkUpload } from "@/lib/upload";

export const dynamic = "force-dynamic";

const json = (body: unknown, status = 200) =>
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
};

const text = (value: FormDataEntryValue | null, max = 100) =>
  typeof value === "string" && value.trim() ? value.trim().slice(0, max) : undefined;

export async function POST(request: Request) {
  const refusal = await refusalFor("analyze", "analyse photos");
  if (refusal) {
    const { status, ...error } = refusal;
    return json({ ok: false, error }, status);
  }
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return json(
      {
        ok: false,
        error: {
          code: "BAD_USER_INPUT",
          title: "No photo received",
          message: "Send the photo as multipart form data in the field “image”.",
        },
      },
      400,
    );
  }
  const image = form.get("image");
  if (!(image instanceof File)) {
    return json(
      {
        ok: false,
        error: { code: "BAD_USER_INPUT", title: "No photo received", message: "Choose a photo first." },
      },
      400,
    );
  }
  // The API enforces its own (possibly lower) limit and answers PAYLOAD_TOO_LARGE; this guards the dashboard itself.
  const problem = checkUpload(image, dashboardEnv().MOODLENS_DASHBOARD_MAX_UPLOAD_BYTES);
  if (problem) {
    return json(
      {
        ok: false,
        error: {
          code: problem.kind === "size" ? "PAYLOAD_TOO_LARGE" : "UNSUPPORTED_IMAGE",
          title: "This file cannot be analysed",
          message: problem.message,
        },
      },
      problem.kind === "size" ? 413 : 415,
    );
  }

  const store = form.get("store") === "true";
  const bytes = new Uint8Array(await image.arrayBuffer());
  try {
    const analysis = await analyzeImage(
      {
        bytes,
        contentType: image.type || "application/octet-stream",
        store,
        explain: form.get("explain") === "true",
        source: text(form.get("source")) ?? "dashboard",
        ...(text(form.get("campaign")) ? { campaign: text(form.get("campaign")) } : {}),
        // A stored analysis gets an idempotency key so a retried request is not counted twice.
        ...(store
          ? { clientRequestId: text(form.get("clientRequestId"), 200) ?? `dashboard-${randomUUID()}` }
          : {}),
      },
      request.signal,
    );
    return json({ ok: true, analysis });
  } catch (error) {
    const apiError =
      error instanceof ApiError
        ? error
        : new ApiError("INTERNAL", error instanceof Error ? error.message : String(error));
    return json({ ok: false, error: describeApiError(apiError) }, STATUS_BY_CODE[apiError.code] ?? 502);
  }
}
