/**
 * Recorded live streams (analyzeFrame with record: true, issue 18): the track-seconds a stream's tracker closes are
 * stored like a finished video's, as one LIVE analysis per flush (its faces are the track-seconds) plus the hourly
 * rollups, in ONE transaction, so emotionStats counts a live face once per track-second (docs/video.md).
 *
 * Idempotent without a new table: a flush is keyed by (stream, its start, the track-seconds it carries) hashed into
 * the analysis' clientRequestId; the unique (idempotencyScope, clientRequestId) makes a replayed flush a no-op.
 */
import { createHash } from "node:crypto";
import { ANONYMOUS_SCOPE, DEFAULT_CAMPAIGN, DEFAULT_SOURCE } from "./analyses";
import { isUniqueViolation } from "./errors";
import type { DbClient } from "./types";
import { assertDate, badInput, label } from "./validate";
import { checkProbabilities, writeTrackSecondsAnalysis, type TrackSecondInput } from "./videos";

export interface RecordLiveSecondsInput {
  apiKeyId?: string | null;
  /** The caller's scope (API key id, `user:<id>`, ...); defaults to the API key, else anonymous. */
  idempotencyScope?: string | null;
  /** The client's stream id (with startedAt, what makes one stream's flushes distinct from another's). */
  streamId: string;
  source?: string | null;
  campaign?: string | null;
  /** Wall-clock time of the stream's timestamp 0: track-second s is captured at startedAt + s. */
  startedAt: Date;
  modelVersion: string;
  backend: string;
  frameWidth?: number;
  frameHeight?: number;
  trackSeconds: readonly TrackSecondInput[];
}

export interface RecordLiveSecondsResult {
  /** The LIVE analysis holding this flush (null when there was nothing to store). */
  analysisId: string | null;
  /** true when this flush had been stored before (nothing counted again). */
  deduplicated: boolean;
}

/** The flush's key: same stream start and same (track, second) pairs -> same key, whatever the order. */
function flushKey(streamId: string, startedAt: Date, seconds: readonly TrackSecondInput[]): string {
  const pairs = seconds.map((ts) => `${ts.trackIndex}:${ts.second}`).sort();
  const digest = createHash("sha256")
    .update(`${streamId}\u0000${startedAt.getTime()}\u0000${pairs.join(",")}`)
    .digest("hex");
  return `live:${digest.slice(0, 48)}`;
}

/** Stores one flush of closed track-seconds as kind LIVE (analysis + faces + rollups, one transaction), once. */
export async function recordLiveSeconds(
  prisma: DbClient,
  input: RecordLiveSecondsInput,
): Promise<RecordLiveSecondsResult> {
  if (!input.streamId) throw badInput("streamId is required to record a live stream");
  const startedAt = assertDate(input.startedAt, "startedAt");
  input.trackSeconds.forEach((ts, i) => {
    checkProbabilities(ts.probabilities, `trackSeconds[${i}].probabilities`);
    if (!Number.isInteger(ts.second) || ts.second < 0)
      throw badInput(`trackSeconds[${i}].second must be a whole number >= 0`);
  });
  if (input.trackSeconds.length === 0) return { analysisId: null, deduplicated: false };
  const scope = input.idempotencyScope ?? input.apiKeyId ?? ANONYMOUS_SCOPE;
  const clientRequestId = flushKey(input.streamId, startedAt, input.trackSeconds);
  const earlier = async () =>
    (
      await prisma.analysis.findFirst({
        where: { idempotencyScope: scope, clientRequestId },
        select: { id: true },
      })
    )?.id ?? null;
  const stored = await earlier();
  if (stored) return { analysisId: stored, deduplicated: true };
  const data = {
    kind: "LIVE" as const,
    apiKeyId: input.apiKeyId ?? null,
    idempotencyScope: scope,
    clientRequestId,
    source: label(input.source, "source", DEFAULT_SOURCE),
    campaign: label(input.campaign, "campaign", DEFAULT_CAMPAIGN),
    capturedAt: startedAt,
    modelVersion: input.modelVersion,
    backend: input.backend,
    width: input.frameWidth ?? 1,
    height: input.frameHeight ?? 1,
    timings: {},
    trackSeconds: input.trackSeconds,
  };
  try {
    const analysis = await prisma.$transaction((tx) => writeTrackSecondsAnalysis(tx, data));
    return { analysisId: analysis.id, deduplicated: false };
  } catch (error) {
    // A concurrent replay of the same flush won the race: its transaction counted the seconds, this one wrote nothing.
    if (isUniqueViolation(error)) {
      const id = await earlier();
      if (id) return { analysisId: id, deduplicated: true };
    }
    throw error;
  }
}
