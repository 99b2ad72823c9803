import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/EmptyState";
import { ErrorState } from "@/components/ui/ErrorState";
import { Notice } from "@/components/ui/Notice";
import { PageHeader } from "@/components/ui/PageHeader";
import { VideoJobsTable } from "@/components/videos/VideoJobsTable";
import { VideoUpload } from "@/components/videos/VideoUpload";
import { fetchVideoJobs } from "@/lib/api/videos";
import { permissionFor } from "@/lib/auth/session";
import { dashboardEnv } from "@/lib/env";
import { formatInteger } from "@/lib/format";
import { describeApiError, tryResult } from "@/lib/graphql";

export const metadata: Metadata = { title: "Videos" };
export const dynamic = "force-dynamic";

export default async function VideosPage() {
  const [jobs, mayAnalyze] = await Promise.all([tryResult(() => fetchVideoJobs()), permissionFor("analyze")]);
  return (
    <div className="page" data-testid="videos-page">
      <PageHeader
        title="Videos"
        subtitle="Upload a video: faces are followed through it and their expressions summed up per second. The video is not kept on the server unless the operator enables it."
      />
      {mayAnalyze.ok ? (
        <VideoUpload maxBytes={dashboardEnv().MOODLENS_DASHBOARD_MAX_VIDEO_BYTES} />
      ) : (
        <Notice testId="videos-forbidden">
          Your role ({mayAnalyze.user?.role ?? "signed out"}) may view video results but not upload videos
          (the “analyze” permission).
        </Notice>
      )}
      {!jobs.ok ? (
        <ErrorState error={describeApiError(jobs.error)} />
      ) : jobs.data.nodes.length === 0 ? (
        <EmptyState title="No videos analysed yet">
          <p>Upload a video above; its job appears here with its progress.</p>
        </EmptyState>
      ) : (
        <section className="card" aria-labelledby="video-jobs-heading">
          <div className="card__header">
            <h2 id="video-jobs-heading">
              <span data-testid="video-jobs-total" data-value={jobs.data.totalCount}>
                {formatInteger(jobs.data.totalCount)}
              </span>{" "}
              {jobs.data.totalCount === 1 ? "video job" : "video jobs"}
            </h2>
          </div>
          <VideoJobsTable jobs={jobs.data.nodes} />
        </section>
      )}
    </div>
  );
}
