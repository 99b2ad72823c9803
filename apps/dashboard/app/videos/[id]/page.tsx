import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "@/components/ui/EmptyState";
import { ErrorState } from "@/components/ui/ErrorState";
import { PageHeader } from "@/components/ui/PageHeader";
import { JobStatusBadge } from "@/components/videos/JobStatusBadge";
import { VideoTimelineView } from "@/components/videos/VideoTimelineView";
import { fetchVideoJob } from "@/lib/api/videos";
import { formatDateTime, formatInteger } from "@/lib/format";
import { describeApiError, tryResult } from "@/lib/graphql";
import { formatSeconds } from "@/lib/video-timeline";

export const metadata: Metadata = { title: "Video timeline" };
export const dynamic = "force-dynamic";

export default async function VideoPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const result = await tryResult(() => fetchVideoJob(id));
  const back = <Link href="/videos">All videos</Link>;
  if (!result.ok) {
    return (
      <div className="page">
        <PageHeader title="Video" subtitle={back} />
        <ErrorState error={describeApiError(result.error)} />
      </div>
    );
  }
  const job = result.data;
  if (!job) {
    return (
      <div className="page">
        <PageHeader title="Video not found" subtitle={back} />
        <EmptyState title="There is no such video job">
          <p>It may have been deleted. {back}</p>
        </EmptyState>
      </div>
    );
  }
  return (
    <div className="page" data-testid="video-page" data-job-id={job.id} data-status={job.status}>
      <PageHeader
        title={job.fileName ?? `Video ${job.id.slice(0, 8)}`}
        subtitle={
          <>
            <JobStatusBadge status={job.status} /> {job.source ?? "no source"}
            {job.campaign ? ` · ${job.campaign}` : ""} · captured {formatDateTime(job.capturedAt)}
            {job.video
              ? ` · ${formatSeconds(job.video.durationSeconds)}, ${job.video.width}×${job.video.height}`
              : ""}{" "}
            · {job.sampleFps} frames analysed per second · {formatInteger(job.framesDone)} frames · {back}
          </>
        }
      />
      {job.status === "DONE" ? (
        <VideoTimelineView job={job} />
      ) : job.status === "FAILED" || job.status === "CANCELLED" ? (
        <ErrorState
          retry={false}
          error={{
            code: job.error?.code ?? job.status,
            title: job.status === "FAILED" ? "The analysis failed" : "The analysis was cancelled",
            message:
              job.error?.message ??
              "It stopped before it finished; upload the video again to start a new analysis.",
          }}
        />
      ) : (
        <EmptyState title="The analysis is still running" testId="video-running">
          <p>
            {job.framesTotal ? `${job.framesDone} of ${job.framesTotal} frames done. ` : ""}Reload this page
            when it has finished, or follow it on the <Link href="/videos">Videos page</Link>.
          </p>
        </EmptyState>
      )}
    </div>
  );
}
