import type { VideoJobStatus } from "@/lib/api/types";

const CLASS_BY_STATUS: Record<VideoJobStatus, string> = {
  QUEUED: "status--queued",
  RUNNING: "status--running",
  DONE: "status--completed",
  FAILED: "status--failed",
  CANCELLED: "status--interrupted",
};

export const isFinished = (status: VideoJobStatus) =>
  status === "DONE" || status === "FAILED" || status === "CANCELLED";

export function JobStatusBadge({ status }: { status: VideoJobStatus }) {
  return (
    <span className={`status ${CLASS_BY_STATUS[status]}`} data-testid="job-status" data-status={status}>
      {status.toLowerCase()}
    </span>
  );
}
