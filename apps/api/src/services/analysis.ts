import { checkLabel, recordAnalysis, toDatabaseError } from "@moodlens/db";
import { inspectImage, type InspectedImage } from "@moodlens/model";
import { AppError } from "@moodlens/shared";
import type { ApiContext } from "../context";
import { toClientError, type GraphQLCode } from "../errors";
import { acquireExplainSlot } from "../limits/explain-slots";
import { checkImageBytes } from "../limits/image-input";
import { checkImageShape } from "../limits/image-shape";
import type { ApiRuntime } from "../runtime";
import { analysisFromRecord, type AnalysisView, type FaceView } from "./analysis-view";
import type { AnalyzedImage } from "./analyzer-port";
import { randomUUID } from "node:crypto";

/**
 * One analysis request. The image arrives as bytes from every edge: the GraphQL resolver decodes its base64
 * argument once, POST /v1/analyze passes its raw body.
 */
export interface AnalyzeRequest {
  bytes: Buffer;
  source?: string | null;
  campaign?: string | null;
  capturedAt?: Date | null;
  /** Idempotency key; checked and looked up by @moodlens/db's recordAnalysis, inside its transaction. */
  clientRequestId?: string | null;
  store?: boolean | null;
  explain?: boolean | null;
}

/** What one model run produced, with the served model's name and engines. */
interface ModelRun {
  result: AnalyzedImage;
  modelVersion: string;
  backend: string;
  timings: Record<string, number>;
}

/** The API key a request is stored under; the local developer and dashboard users have none. */
const apiKeyIdOf = (context: ApiContext): string | null =>
  context.viewer && context.viewer.keyId !== "local" && !context.viewer.userId ? context.viewer.keyId : null;
/** A signed-in dashboard user's idempotency scope (API keys are their own scope; see recordAnalysis). */
const userScopeOf = (context: ApiContext): string | null =>
  context.viewer?.userId ? `user:${context.viewer.userId}` : null;

/** Cheap checks that must fail before the image is decoded or the model runs. */
function checkRequest(request: AnalyzeRequest): void {
  // The same rule the database applies when storing, here so a 1 MB source costs no analysis first.
  checkLabel(request.source, "source", "");
  checkLabel(request.campaign, "campaign", "");
  if (request.capturedAt && request.capturedAt.getTime() > Date.now() + 24 * 3_600_000) {
    throw new AppError("BAD_USER_INPUT", "capturedAt lies more than a day in the future", {
      details: { field: "capturedAt" },
    });
  }
}

/** Size, format, pixel count and shape, from the header only; the header travels on so decoding does not re-read it. */
async function inspectUpload(
  runtime: ApiRuntime,
  bytes: Buffer,
): Promise<InspectedImage & { bytes: Buffer }> {
  const { limits } = runtime.config;
  checkImageBytes(bytes, limits.maxImageBytes);
  const header = await inspectImage(bytes, { maxInputPixels: limits.maxImagePixels });
  checkImageShape(header.width, header.height, limits);
  return { bytes, header };
}

/** Runs the served model; explain runs a gradient pass per face, so it has its own limit (faces, analyses at once). */
async function runModel(runtime: ApiRuntime, image: InspectedImage, explain: boolean): Promise<ModelRun> {
  const { limits } = runtime.config;
  const explainSlot = explain ? acquireExplainSlot(runtime) : undefined;
  let lease: ReturnType<typeof runtime.models.acquire>;
  try {
    lease = runtime.models.acquire();
  } catch (error) {
    explainSlot?.release();
    throw error;
  }
  const started = performance.now();
  try {
    const result = await lease.analyzer.analyze(image, {
      explain,
      maxInputPixels: limits.maxImagePixels,
      maxFaces: limits.maxFaces,
      explainMaxFaces: limits.maxExplainFaces,
    });
    const timings = { ...result.timings, totalMs: result.timings.totalMs ?? performance.now() - started };
    return { result, modelVersion: lease.analyzer.version, backend: lease.analyzer.backend, timings };
  } finally {
    lease.release();
    explainSlot?.release();
  }
}

/** The response of an analysis that is not stored (store: false): nothing is written anywhere. */
function unstoredView(
  context: ApiContext,
  request: AnalyzeRequest,
  run: ModelRun,
  faces: FaceView[],
  image: AnalysisView["image"],
): AnalysisView {
  return {
    id: randomUUID(),
    modelVersion: run.modelVersion,
    backend: run.backend,
    timings: run.timings,
    faces,
    faceCount: faces.length,
    skipped: run.result.skipped,
    skippedOverFaceLimit: run.result.skippedOverFaceLimit,
    faceLimit: context.runtime.config.limits.maxFaces,
    image,
    source: request.source ?? null,
    campaign: request.campaign ?? null,
    capturedAt: request.capturedAt ?? new Date(),
    createdAt: new Date(),
    clientRequestId: request.clientRequestId?.trim() || null,
    stored: false,
    deduplicated: false,
    demo: false,
  };
}

/** Records the analysis (or finds the one stored earlier under the same clientRequestId). */
async function storeAnalysis(
  context: ApiContext,
  request: AnalyzeRequest,
  upload: InspectedImage & { bytes: Buffer },
  run: ModelRun,
  faces: FaceView[],
  image: AnalysisView["image"],
): Promise<AnalysisView> {
  const { runtime } = context;
  const { result } = run;
  const recorded = await recordAnalysis(runtime.db.prisma, {
    apiKeyId: apiKeyIdOf(context),
    idempotencyScope: userScopeOf(context),
    clientRequestId: request.clientRequestId ?? null,
    source: request.source ?? null,
    campaign: request.campaign ?? null,
    capturedAt: request.capturedAt ?? null,
    modelVersion: run.modelVersion,
    backend: run.backend,
    imageWidth: result.image.width,
    imageHeight: result.image.height,
    // skipped travels with the timings so a replay reports the same numbers as the first response.
    timings: {
      ...run.timings,
      skipped: result.skipped,
      skippedOverFaceLimit: result.skippedOverFaceLimit,
      faceLimit: runtime.config.limits.maxFaces,
    },
    faces,
    storedImage: runtime.config.storeImages
      ? { bytes: upload.bytes, mimeType: `image/${upload.header.format}` }
      : null,
  });
  const view = analysisFromRecord(recorded.analysis, { deduplicated: recorded.replayed });
  if (recorded.replayed) return view;
  // Saliency maps and landmarks are per-response extras (never stored): attach them to the fresh result.
  return { ...view, faces, image, timings: run.timings };
}

/**
 * Analyses one image and, unless `store: false`, records it (analysis + faces + rollups in one transaction).
 * A clientRequestId already used by this key returns the analysis stored the first time (deduplicated: true).
 */
export async function analyzeImage(context: ApiContext, request: AnalyzeRequest): Promise<AnalysisView> {
  checkRequest(request);
  try {
    const upload = await inspectUpload(context.runtime, request.bytes);
    const run = await runModel(context.runtime, upload, request.explain ?? false);
    const faces: FaceView[] = run.result.faces.map((face, index) => ({ ...face, index }));
    const image = {
      width: run.result.image.width,
      height: run.result.image.height,
      format: upload.header.format,
      bytes: upload.bytes.byteLength,
    };
    if (!(request.store ?? true)) return unstoredView(context, request, run, faces, image);
    return await storeAnalysis(context, request, upload, run, faces, image);
  } catch (error) {
    throw toDatabaseError(error);
  }
}

export interface BatchItemResult {
  index: number;
  analysis?: AnalysisView;
  error?: { code: GraphQLCode; message: string; clientRequestId: string | null };
}

/**
 * Analyses a batch one image at a time (inference is CPU-bound); one failure does not fail the others.
 * `toRequest` turns an input into a request (decoding its image), so a bad image fails only its own item.
 */
export async function analyzeBatch<T extends { clientRequestId?: string | null }>(
  context: ApiContext,
  inputs: readonly T[],
  toRequest: (input: T) => AnalyzeRequest,
): Promise<BatchItemResult[]> {
  const max = context.runtime.config.limits.maxBatchSize;
  if (inputs.length === 0) throw new AppError("BAD_USER_INPUT", "inputs must hold at least one image");
  if (inputs.length > max) {
    throw new AppError("PAYLOAD_TOO_LARGE", `a batch holds at most ${max} images (got ${inputs.length})`, {
      details: { maxBatchSize: max, received: inputs.length },
      hint: "split the batch, or raise MOODLENS_MAX_BATCH",
    });
  }
  const results: BatchItemResult[] = [];
  for (const [index, input] of inputs.entries()) {
    try {
      results.push({ index, analysis: await analyzeImage(context, toRequest(input)) });
    } catch (error) {
      const client = toClientError(error);
      if (client.code === "INTERNAL")
        context.runtime.log.error("batch item failed", { index, error: String(error) });
      results.push({
        index,
        error: { code: client.code, message: client.message, clientRequestId: input.clientRequestId ?? null },
      });
    }
  }
  return results;
}
