import Link from "next/link";
import type { VideoJobSummary } from "@/lib/api/types";
import { formatPercent, formatShortDateTime } from "@/lib/format";
import { formatSeconds } from "@/lib/video-timeline";
import { JobStatusBadge } from "./JobStatusBadge";

/** The video jobs, newest first: status, progress, and a link to each finished job's timeline. */
export function VideoJobsTable({ jobs }: { jobs: VideoJobSummary[] }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="video-jobs-table">
        <caption className="visually-hidden">Video analysis jobs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Video</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Progress
            </th>
            <th scope="col" className="num">
              Length
            </th>
            <th scope="col">Source</th>
            <th scope="col">Campaign</th>
            <th scope="col">Submitted</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <tr key={job.id} data-testid="video-job-row" data-job-id={job.id} data-status={job.status}>
              <td>
                <Link href={`/videos/${encodeURIComponent(job.id)}`}>
                  {job.fileName ?? job.id.slice(0, 8)}
                </Link>
              </td>
              <td>
                <JobStatusBadge status={job.status} />
                {job.error && <span className="chart-hint"> {job.error.code}</span>}
              </td>
              <td className="num">
                {job.framesTotal
                  ? `${job.framesDone}/${job.framesTotal} (${formatPercent(job.progress, 0)})`
                  : "–"}
              </td>
              <td className="num">{job.video ? formatSeconds(job.video.durationSeconds) : "–"}</td>
              <td>{job.source ?? "–"}</td>
              <td>{job.campaign ?? "–"}</td>
              <td>{formatShortDateTime(job.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
