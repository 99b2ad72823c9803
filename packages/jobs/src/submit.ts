/**
 * submitVideoJob: the one way a video enters the system (the API's POST /v1/videos and the CLI). The upload and the
 * job row are stored in one transaction first, then the queue message is sent; a replayed clientRequestId returns
 * the first job (and re-sends its message, harmless: the queue id is the job id).
 */
import {
  createVideoJob,
  listOpenVideoJobIds,
  type CreateVideoJobInput,
  type DbClient,
  type VideoJobRow,
} from "@moodlens/db";
import type { JobQueue } from "./queue";

export interface SubmitVideoJobResult {
  job: VideoJobRow;
  deduplicated: boolean;
}

export async function submitVideoJob(
  prisma: DbClient,
  queue: JobQueue,
  input: CreateVideoJobInput,
): Promise<SubmitVideoJobResult> {
  const result = await createVideoJob(prisma, input);
  // A crash between the insert and the send leaves a queued row without a message; workers re-send those at
  // start-up (sweepUnqueuedJobs), so the job is never lost.
  if (result.job.status === "queued" || result.job.status === "running")
    await queue.sendVideoJob(result.job.id);
  return result;
}

/** Re-sends every queued or running video job (idempotent); workers call it once at start-up. */
export async function sweepUnqueuedJobs(prisma: DbClient, queue: JobQueue): Promise<number> {
  const open = await listOpenVideoJobIds(prisma);
  for (const id of open) await queue.sendVideoJob(id);
  return open.length;
}
