/** POST /api/videos/:id/cancel — cancels a queued or running job as the signed-in user (scope analyze). */
import { cancelVideoJob } from "@/lib/api/videos";
import { refusalFor } from "@/lib/auth/route-guard";
import { errorResponse, json } from "@/lib/route-json";

export const dynamic = "force-dynamic";

export async function POST(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const refusal = await refusalFor("analyze", "cancel video jobs");
  if (refusal) {
    const { status, ...error } = refusal;
    return json({ ok: false, error }, status);
  }
  const { id } = await params;
  try {
    return json({ ok: true, job: await cancelVideoJob(id) });
  } catch (error) {
    return errorResponse(error);
  }
}
