import { gql, type GqlOptions } from "../graphql";
import {
  ANALYZE_FRAME_MUTATION,
  CANCEL_VIDEO_JOB_MUTATION,
  VIDEO_JOBS_QUERY,
  VIDEO_JOB_QUERY,
  VIDEO_JOB_STATUS_QUERY,
} from "./documents";
import type {
  FrameAnalysis,
  VideoJobConnection,
  VideoJobDetail,
  VideoJobStatus,
  VideoJobSummary,
} from "./types";

export const VIDEO_JOBS_PAGE_SIZE = 20;

export async function fetchVideoJobs(
  first = VIDEO_JOBS_PAGE_SIZE,
  after: string | null = null,
  status: VideoJobStatus | null = null,
): Promise<VideoJobConnection> {
  const data = await gql<{ videoJobs: VideoJobConnection }>(VIDEO_JOBS_QUERY, {
    first,
    after,
    ...(status ? { status } : {}),
  });
  return data.videoJobs;
}

export async function fetchVideoJobStatus(id: string, options?: GqlOptions): Promise<VideoJobSummary | null> {
  const data = await gql<{ videoJob: VideoJobSummary | null }>(VIDEO_JOB_STATUS_QUERY, { id }, options);
  return data.videoJob;
}

export async function fetchVideoJob(id: string): Promise<VideoJobDetail | null> {
  const data = await gql<{ videoJob: VideoJobDetail | null }>(VIDEO_JOB_QUERY, { id });
  return data.videoJob;
}

export async function cancelVideoJob(id: string): Promise<VideoJobSummary> {
  const data = await gql<{ cancelVideoJob: VideoJobSummary }>(CANCEL_VIDEO_JOB_MUTATION, { id });
  return data.cancelVideoJob;
}

export interface FrameRequest {
  streamId: string;
  image: string;
  timestamp: number;
  record: boolean;
  source?: string | undefined;
  campaign?: string | undefined;
}

/** Live frames must come back quickly or be dropped: a late answer is worth less than the next frame. */
export const FRAME_TIMEOUT_MS = 10_000;

export async function analyzeFrame(input: FrameRequest, signal?: AbortSignal): Promise<FrameAnalysis> {
  const data = await gql<{ analyzeFrame: FrameAnalysis }>(
    ANALYZE_FRAME_MUTATION,
    {
      input: {
        streamId: input.streamId,
        image: input.image,
        timestamp: input.timestamp,
        record: input.record,
        ...(input.record && input.source ? { source: input.source } : {}),
        ...(input.record && input.campaign ? { campaign: input.campaign } : {}),
      },
    },
    { timeoutMs: FRAME_TIMEOUT_MS, ...(signal ? { signal } : {}) },
  );
  return data.analyzeFrame;
}
