"use client";

import { ErrorState } from "@/components/ui/ErrorState";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import type { VideoJobSummary } from "@/lib/api/types";
import { formatBytes, formatPercent } from "@/lib/format";
import type { ApiErrorInfo } from "@/lib/graphql";
import { keepLocalVideo } from "@/lib/local-videos";
import {
  DEFAULT_SAMPLE_FPS,
  SAMPLE_FPS_CHOICES,
  VIDEO_ACCEPT_ATTRIBUTE,
  checkVideo,
  videoTypeOf,
} from "@/lib/video-upload";
import { JobStatusBadge, isFinished } from "./JobStatusBadge";
import { TextField } from "@/components/ui/TextField";

type Phase =
  | { kind: "idle" }
  | { kind: "uploading"; loaded: number; total: number }
  | { kind: "job"; job: VideoJobSummary }
  | { kind: "error"; error: ApiErrorInfo };

const POLL_MS = 1_000;

const randomId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(12)), (byte) => byte.toString(16).padStart(2, "0")).join(
    "",
  );

/** XMLHttpRequest rather than fetch: only XHR reports upload progress. */
function uploadWithProgress(
  url: string,
  file: File,
  onProgress: (loaded: number, total: number) => void,
  xhrRef: { current: XMLHttpRequest | null },
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhrRef.current = xhr;
    xhr.open("POST", url);
    xhr.setRequestHeader("content-type", videoTypeOf(file));
    xhr.upload.onprogress = (event) =>
      onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new Error("The upload was interrupted (network error)."));
    xhr.onabort = () => reject(new DOMException("aborted", "AbortError"));
    xhr.send(file);
  });
}

/**
 * Choose a video, send it (upload progress), then follow its analysis job (progress, cancel). The browser keeps its
 * own copy of the file (memory + IndexedDB) so the video page can play it without the server storing it.
 */
export function VideoUpload({ maxBytes }: { maxBytes: number }) {
  const router = useRouter();
  // Set once React has attached its handlers: a file chosen before that never reaches `choose` (the e2e tests wait
  // for it instead of racing the hydration of a slow page).
  const [interactive, setInteractive] = useState(false);
  useEffect(() => setInteractive(true), []);
  const [file, setFile] = useState<File | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [source, setSource] = useState("dashboard");
  const [campaign, setCampaign] = useState("");
  const [sampleFps, setSampleFps] = useState<number>(DEFAULT_SAMPLE_FPS);
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const [cancelling, setCancelling] = useState(false);
  const xhrRef = useRef<XMLHttpRequest | null>(null);
  const ids = { file: useId(), source: useId(), campaign: useId(), fps: useId(), hint: useId() };

  useEffect(() => () => xhrRef.current?.abort(), []);

  const jobId = phase.kind === "job" ? phase.job.id : null;
  const jobFinished = phase.kind === "job" && isFinished(phase.job.status);
  useEffect(() => {
    if (!jobId || jobFinished) return;
    let stopped = false;
    const timer = setInterval(async () => {
      const response = await fetch(`/api/videos/${encodeURIComponent(jobId)}`, { cache: "no-store" }).catch(
        () => null,
      );
      const body = (await response?.json().catch(() => null)) as {
        ok: boolean;
        job?: VideoJobSummary;
      } | null;
      if (stopped || !body?.ok || !body.job) return;
      setPhase({ kind: "job", job: body.job });
      if (isFinished(body.job.status)) router.refresh();
    }, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [jobId, jobFinished, router]);

  const choose = (chosen: File | undefined) => {
    setPhase({ kind: "idle" });
    if (!chosen) return setFile(null);
    const issue = checkVideo(chosen, maxBytes);
    setProblem(issue?.message ?? null);
    setFile(issue ? null : chosen);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    const params = new URLSearchParams({
      fileName: file.name,
      sampleFps: String(sampleFps),
      clientRequestId: `dashboard-video-${randomId()}`,
      capturedAt: new Date(file.lastModified || Date.now()).toISOString(),
    });
    if (source.trim()) params.set("source", source.trim());
    if (campaign.trim()) params.set("campaign", campaign.trim());
    setPhase({ kind: "uploading", loaded: 0, total: file.size });
    try {
      const { status, body } = await uploadWithProgress(
        `/api/videos?${params}`,
        file,
        (loaded, total) => setPhase({ kind: "uploading", loaded, total }),
        xhrRef,
      );
      const answer = body as {
        ok: boolean;
        job?: Partial<VideoJobSummary> & { id: string };
        error?: ApiErrorInfo;
      } | null;
      if (!answer?.ok || !answer.job) {
        setPhase({
          kind: "error",
          error: answer?.error ?? {
            code: "UPLOAD_FAILED",
            title: "The upload failed",
            message: `The dashboard answered HTTP ${status}.`,
          },
        });
        return;
      }
      await keepLocalVideo(answer.job.id, file);
      // The upload answer may be just the id: show it as queued until the first poll.
      const queued: Partial<VideoJobSummary> = {
        status: "QUEUED",
        framesDone: 0,
        framesTotal: null,
        progress: 0,
      };
      setPhase({ kind: "job", job: { ...queued, ...answer.job } as VideoJobSummary });
      router.refresh();
    } catch (error) {
      if ((error as { name?: string }).name === "AbortError") return setPhase({ kind: "idle" });
      setPhase({
        kind: "error",
        error: {
          code: "NETWORK",
          title: "The upload failed",
          message: error instanceof Error ? error.message : String(error),
          hint: "Check that the dashboard and the API are running, then try again.",
        },
      });
    }
  };

  const cancel = async () => {
    if (phase.kind === "uploading") return xhrRef.current?.abort();
    if (phase.kind !== "job") return;
    setCancelling(true);
    const response = await fetch(`/api/videos/${encodeURIComponent(phase.job.id)}/cancel`, {
      method: "POST",
    }).catch(() => null);
    const body = (await response?.json().catch(() => null)) as {
      ok: boolean;
      job?: VideoJobSummary;
      error?: ApiErrorInfo;
    } | null;
    setCancelling(false);
    if (body?.ok && body.job) {
      setPhase({ kind: "job", job: body.job });
      router.refresh();
    } else if (body?.error) setPhase({ kind: "error", error: body.error });
  };

  const busy = phase.kind === "uploading" || (phase.kind === "job" && !isFinished(phase.job.status));

  return (
    <section className="card" aria-labelledby="video-upload-heading" data-testid="video-upload">
      <h2 id="video-upload-heading">Analyse a video</h2>
      <form className="grid" style={{ gap: 12 }} onSubmit={submit}>
        <div className="field">
          <label htmlFor={ids.file}>Video (MP4, WebM or MOV, up to {formatBytes(maxBytes)})</label>
          <input
            id={ids.file}
            type="file"
            accept={VIDEO_ACCEPT_ATTRIBUTE}
            onChange={(event) => choose(event.target.files?.[0])}
            disabled={busy}
            aria-describedby={ids.hint}
            data-testid="video-file-input"
            data-interactive={interactive}
          />
          <p id={ids.hint} className="chart-hint">
            The file is sent to the analysis service and deleted there once analysed (unless the operator
            keeps videos). This browser keeps its own copy so the timeline can play it.
          </p>
        </div>
        {problem && (
          <ErrorState
            error={{ code: "INVALID_FILE", message: problem }}
            testId="video-error"
            heading="h3"
            retry={false}
          />
        )}
        <div className="toolbar">
          <TextField
            id={ids.source}
            label="Source"
            value={source}
            onChange={setSource}
            testId="video-source"
          />
          <TextField
            id={ids.campaign}
            label="Campaign (optional)"
            value={campaign}
            onChange={setCampaign}
            testId="video-campaign"
          />
          <div className="field">
            <label htmlFor={ids.fps}>Frames analysed per second</label>
            <select
              id={ids.fps}
              value={sampleFps}
              onChange={(event) => setSampleFps(Number(event.target.value))}
              data-testid="video-fps"
            >
              {SAMPLE_FPS_CHOICES.map((fps) => (
                <option key={fps} value={fps}>
                  {fps}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="button" disabled={!file || busy} data-testid="video-submit">
            {phase.kind === "uploading" ? "Uploading…" : "Upload and analyse"}
          </button>
          {busy && (
            <button
              type="button"
              className="button button--secondary"
              onClick={cancel}
              disabled={cancelling}
              data-testid="video-cancel"
            >
              {cancelling ? "Cancelling…" : "Cancel"}
            </button>
          )}
        </div>
      </form>

      <div role="status" aria-live="polite" data-testid="video-progress-area">
        {phase.kind === "uploading" && (
          <div className="progress-block">
            <label htmlFor={`${ids.file}-upload`}>
              Uploading {formatBytes(phase.loaded)} of {formatBytes(phase.total)}
            </label>
            <progress
              id={`${ids.file}-upload`}
              max={phase.total || 1}
              value={phase.loaded}
              data-testid="upload-progress"
            />
          </div>
        )}
        {phase.kind === "job" && (
          <div
            className="progress-block"
            data-testid="job-progress"
            data-job-id={phase.job.id}
            data-status={phase.job.status}
          >
            <p>
              Job <code>{phase.job.id.slice(0, 8)}</code> <JobStatusBadge status={phase.job.status} />{" "}
              {phase.job.framesTotal
                ? `${phase.job.framesDone} of ${phase.job.framesTotal} frames (${formatPercent(phase.job.progress, 0)})`
                : phase.job.status === "QUEUED"
                  ? "waiting for a worker…"
                  : ""}
            </p>
            <progress
              max={1}
              value={phase.job.progress}
              aria-label="Analysis progress"
              data-testid="analysis-progress"
            />
            {phase.job.status === "DONE" && (
              <p>
                <Link
                  className="button"
                  href={`/videos/${encodeURIComponent(phase.job.id)}`}
                  data-testid="open-timeline"
                >
                  Open the timeline →
                </Link>
              </p>
            )}
            {phase.job.error && (
              <ErrorState error={phase.job.error} testId="video-error" heading="h3" retry={false} />
            )}
          </div>
        )}
        {phase.kind === "error" && (
          <ErrorState error={phase.error} testId="video-error" heading="h3" retry={false} />
        )}
      </div>
    </section>
  );
}
