/** GET /api/videos/:id — the job's status and progress (no results), polled by the Videos page while it runs. */
import { fetchVideoJobStatus } from "@/lib/api/videos";
import { refusalFor } from "@/lib/auth/route-guard";
import { errorResponse, json } from "@/lib/route-json";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const refusal = await refusalFor("read:stats", "see video jobs");
  if (refusal) {
    const { status, ...error } = refusal;
    return json({ ok: false, error }, status);
  }
  const { id } = await params;
  try {
    const job = await fetchVideoJobStatus(id, { signal: request.signal });
    if (!job)
      return json(
        {
          ok: false,
          error: { code: "NOT_FOUND", title: "No such job", message: `There is no video job ${id}.` },
        },
        404,
      );
    return json({ ok: true, job });
  } catch (error) {
    return errorResponse(error);
  }
}
