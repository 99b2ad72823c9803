/**
 * Live frame streams (analyzeFrame): each frame is analysed like a photo (same limits, same served model), then its
 * faces go through the stream's tracker (@moodlens/video) for stable track ids and smoothed probabilities.
 *
 * Tracker state lives in this API instance's memory, per (caller, streamId), and expires after an idle timeout: a
 * client sends one stream's frames to one instance (behind a load balancer, sticky sessions); if its stream lands
 * on another instance or expires, tracks simply start again. Frames are never stored.
 */
import { checkLabel, recordLiveSeconds } from "@moodlens/db";
import { inspectImage } from "@moodlens/model";
import {
  createStreamRegistry,
  type StreamRegistry,
  type StreamRegistryOptions,
  type TrackedFace,
  type TrackSecond,
} from "@moodlens/video";
import { DEFAULTS } from "../config";
import type { ApiContext } from "../context";
import { checkImageBytes } from "../limits/image-input";
import { checkImageShape } from "../limits/image-shape";
import type { ApiRuntime } from "../runtime";

export interface FrameRequest {
  streamId: string;
  /** The image file's bytes (the GraphQL edge decodes the base64 argument once). */
  bytes: Buffer;
  /** Milliseconds since the stream started, from the client's clock. */
  timestamp: number;
  record?: boolean | null;
  source?: string | null;
  campaign?: string | null;
}

export interface FrameResult {
  streamId: string;
  timestamp: number;
  faces: TrackedFace[];
  modelVersion: string;
  timings: Record<string, number>;
}

/** What a stream carries for recording its track-seconds (the latest frame's values win). */
export interface StreamRecording {
  record: boolean;
  source: string | null;
  campaign: string | null;
  /** Wall-clock time of the stream's timestamp 0: track-second s is captured at startedAt + s. */
  startedAt: number;
  modelVersion: string;
  backend: string;
  /** Who the stored seconds belong to (as for photos: an API key, or a dashboard user's scope). */
  apiKeyId: string | null;
  idempotencyScope: string | null;
  streamId: string;
  frameWidth: number;
  frameHeight: number;
}

/** Stores closed track-seconds of a recorded stream (kind LIVE). */
export type LiveRecorder = (
  runtime: ApiRuntime,
  key: string,
  recording: StreamRecording,
  seconds: TrackSecond[],
) => Promise<void>;

/** The default recorder: one LIVE analysis per flush, idempotent per (stream, seconds) in @moodlens/db. */
export const storeLiveSeconds: LiveRecorder = async (runtime, _key, recording, seconds) => {
  await recordLiveSeconds(runtime.db.prisma, {
    apiKeyId: recording.apiKeyId,
    idempotencyScope: recording.idempotencyScope,
    streamId: recording.streamId,
    source: recording.source,
    campaign: recording.campaign,
    startedAt: new Date(recording.startedAt),
    modelVersion: recording.modelVersion,
    backend: recording.backend,
    frameWidth: recording.frameWidth,
    frameHeight: recording.frameHeight,
    trackSeconds: seconds,
  });
};

interface FrameStreams {
  registry: StreamRegistry<StreamRecording>;
  recorder: LiveRecorder;
}

// One registry per runtime (an API instance); a WeakMap keeps it out of the runtime's shape and dies with it.
const streamsByRuntime = new WeakMap<ApiRuntime, FrameStreams>();

export type FrameStreamOptions = Omit<StreamRegistryOptions<StreamRecording>, "onEvict"> & {
  recorder?: LiveRecorder;
};

/** Sets this instance's stream settings (idle timeout, stream limit, tracker); drops the streams kept so far. */
export function configureFrameStreams(
  runtime: ApiRuntime,
  options: FrameStreamOptions = {},
): StreamRegistry<StreamRecording> {
  const { recorder = storeLiveSeconds, ...registryOptions } = options;
  const registry = createStreamRegistry<StreamRecording>({
    ...registryOptions,
    onEvict: (event) => {
      if (!event.meta?.record || event.seconds.length === 0) return;
      recorder(runtime, event.key, event.meta, event.seconds).catch((error: unknown) =>
        runtime.log.error("recording an expired live stream failed", {
          streamId: event.streamId,
          error: String(error),
        }),
      );
    },
  });
  streamsByRuntime.set(runtime, { registry, recorder });
  return registry;
}

function frameStreams(runtime: ApiRuntime): FrameStreams {
  if (!streamsByRuntime.has(runtime))
    configureFrameStreams(runtime, {
      idleMs: (runtime.config.liveIdleSeconds ?? DEFAULTS.liveIdleSeconds) * 1000,
    });
  return streamsByRuntime.get(runtime)!;
}

/** The API key stored seconds belong to (the same rule as photos: the local developer and dashboard users have none). */
const apiKeyIdOf = (context: ApiContext): string | null =>
  context.viewer && context.viewer.keyId !== "local" && !context.viewer.userId ? context.viewer.keyId : null;

/** Streams are per caller: an API key, a dashboard user, or the local developer never see each other's tracks. */
const streamKeyOf = (context: ApiContext): string =>
  context.viewer?.keyId ?? `address:${context.clientAddress ?? "unknown"}`;

/** Analyses one frame of a live stream and tracks its faces. */
export async function analyzeFrame(context: ApiContext, request: FrameRequest): Promise<FrameResult> {
  const { runtime } = context;
  const { limits } = runtime.config;
  const { registry, recorder } = frameStreams(runtime);
  const key = streamKeyOf(context);
  checkLabel(request.source, "source", "");
  checkLabel(request.campaign, "campaign", "");
  // Order and stream-count errors come before the model runs: a late frame costs nothing.
  registry.check(key, request.streamId, request.timestamp);
  checkImageBytes(request.bytes, limits.maxImageBytes);
  const header = await inspectImage(request.bytes, { maxInputPixels: limits.maxImagePixels });
  checkImageShape(header.width, header.height, limits);

  const lease = runtime.models.acquire();
  const started = performance.now();
  let result;
  try {
    result = await lease.analyzer.analyze(
      { bytes: request.bytes, header },
      { explain: false, maxInputPixels: limits.maxImagePixels, maxFaces: limits.maxFaces },
    );
  } finally {
    lease.release();
  }
  const recording: StreamRecording = {
    record: request.record ?? false,
    source: request.source ?? null,
    campaign: request.campaign ?? null,
    // Anchored at the stream's first frame, so later frames' network jitter does not move its seconds.
    startedAt: registry.metaOf(key, request.streamId)?.startedAt ?? Date.now() - request.timestamp,
    modelVersion: lease.analyzer.version,
    backend: lease.analyzer.backend,
    apiKeyId: apiKeyIdOf(context),
    idempotencyScope: context.viewer?.userId ? `user:${context.viewer.userId}` : null,
    streamId: request.streamId,
    frameWidth: header.width,
    frameHeight: header.height,
  };
  const tracked = registry.update(key, request.streamId, request.timestamp, result.faces, recording);
  // Seconds closed by this frame are stored before the answer, so a storage error reaches the client (not only a log).
  if (recording.record && tracked.seconds.length > 0)
    await recorder(runtime, key, recording, tracked.seconds);
  return {
    streamId: request.streamId,
    timestamp: request.timestamp,
    faces: tracked.faces,
    modelVersion: lease.analyzer.version,
    timings: { ...result.timings, totalMs: result.timings.totalMs ?? performance.now() - started },
  };
}
