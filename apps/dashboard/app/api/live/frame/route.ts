/**
 * POST /api/live/frame (JSON: streamId, image as a data URL, timestamp, record, source, campaign) — one camera
 * frame of the Live page, forwarded to analyzeFrame as the signed-in user (scope analyze). The frame is neither
 * logged nor kept here; the API keeps only per-stream tracker state (and aggregates when record is true).
 */
import { analyzeFrame } from "@/lib/api/videos";
import { refusalFor } from "@/lib/auth/route-guard";
import { errorResponse, json } from "@/lib/route-json";

export const dynamic = "force-dynamic";

/** A 1280x720 JPEG is ~150-300 kB; base64 adds a third. */
const MAX_FRAME_CHARS = 4 * 1024 * 1024;

const text = (value: unknown, max = 100) =>
  typeof value === "string" && value.trim() ? value.trim().slice(0, max) : undefined;

export async function POST(request: Request) {
  const refusal = await refusalFor("analyze", "analyse camera frames");
  if (refusal) {
    const { status, ...error } = refusal;
    return json({ ok: false, error }, status);
  }
  const body = (await request.json().catch(() => null)) as Record<string, unknown> | null;
  const streamId = text(body?.streamId, 200);
  const image = typeof body?.image === "string" ? body.image : "";
  const timestamp = Number(body?.timestamp);
  if (!streamId || !image || image.length > MAX_FRAME_CHARS || !Number.isFinite(timestamp)) {
    return json(
      {
        ok: false,
        error: {
          code: "BAD_USER_INPUT",
          title: "Frame not accepted",
          message: "Send JSON with streamId, image (a data URL under 4 MB) and a numeric timestamp.",
        },
      },
      400,
    );
  }
  try {
    const analysis = await analyzeFrame(
      {
        streamId,
        image,
        timestamp,
        record: body?.record === true,
        source: text(body?.source),
        campaign: text(body?.campaign),
      },
      request.signal,
    );
    return json({ ok: true, analysis });
  } catch (error) {
    return errorResponse(error);
  }
}
