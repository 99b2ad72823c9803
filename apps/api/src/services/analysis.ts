import { checkLabel, recordAnalysis, toDatabaseError, type AnalysisRecord } from "@moodlens/db";
import { inspectImage } from "@moodlens/model";
import { AppError } from "@moodlens/shared";
import type { ApiContext } from "../context";
import { toClientError, type GraphQLCode } from "../errors";
import { checkImageBytes, decodeImageArgument } from "../limits/image-input";
import { acquireExplainSlot } from "../limits/explain-slots";
import { checkImageShape } from "../limits/image-shape";
import { analysisFromRecord, type AnalysisView, type FaceView } from "../resolvers/mappers";
import type { AnalyzedImage } from "./analyzer-port";
import { randomUUID } from "node:crypto";

/** One analysis request, from GraphQL (base64 `image`) or the binary HTTP route (`bytes`). */
export interface AnalyzeRequest {
  image?: string | null;
  bytes?: Buffer;
  source?: string | null;
  campaign?: string | null;
  capturedAt?: Date | null;
  clientRequestId?: string | null;
  store?: boolean | null;
  explain?: boolean | null;
}

const MAX_CLIENT_REQUEST_ID = 128;

/** Idempotency is per API key or signed-in user; keyless local development shares one anonymous scope. */
const apiKeyIdOf = (context: ApiContext): string | null =>
  context.viewer && context.viewer.keyId !== "local" && !context.viewer.userId ? context.viewer.keyId : null;
const idempotencyScopeOf = (context: ApiContext): string =>
  context.viewer?.userId ? `user:${context.viewer.userId}` : (apiKeyIdOf(context) ?? "anonymous");

/** Cheap checks that must fail before the image is decoded or the model runs. */
function checkRequest(request: AnalyzeRequest): void {
  // The same rule the database applies when storing, here so a 1 MB source costs no analysis first.
  checkLabel(request.source, "source", "");
  checkLabel(request.campaign, "campaign", "");
  const id = request.clientRequestId;
  if (id !== undefined && id !== null && (id.trim() === "" || id.length > MAX_CLIENT_REQUEST_ID)) {
    throw new AppError("BAD_USER_INPUT", `clientRequestId must be 1..${MAX_CLIENT_REQUEST_ID} characters`, {
      details: { field: "clientRequestId" },
    });
  }
  if (request.capturedAt && request.capturedAt.getTime() > Date.now() + 24 * 3_600_000) {
    throw new AppError("BAD_USER_INPUT", "capturedAt lies more than a day in the future", { details: { field: "capturedAt" } });
  }
}

async function findReplay(context: ApiContext, clientRequestId: string): Promise<AnalysisRecord | null> {
  const row = await context.runtime.db.prisma.analysis.findFirst({
    where: { idempotencyScope: idempotencyScopeOf(context), clientRequestId },
    omit: { storedImage: true },
    include: { faces: { orderBy: { index: "asc" } } },
  });
  return row ? { ...row, hasStoredImage: false } : null;
}

function facesOf(result: AnalyzedImage): FaceView[] {
  return result.faces.map((face, index) => ({
    index,
    box: face.box,
    detectionScore: face.detectionScore,
    probabilities: face.probabilities,
    dominantEmotion: face.dominantEmotion,
    valence: face.valence,
    saliency: face.saliency ?? null,
    landmarks: face.landmarks ?? null,
  }));
}

/**
 * Analyses one image and, unless `store: false`, records it (analysis + faces + rollups in one transaction).
 * A clientRequestId already used by this key returns the stored analysis without running the model again.
 */
export async function analyzeImage(context: ApiContext, request: AnalyzeRequest): Promise<AnalysisView> {
  const { runtime } = context;
  const { limits } = runtime.config;
  checkRequest(request);
  const store = request.store ?? true;
  const clientRequestId = request.clientRequestId?.trim() || null;

  try {
    if (store && clientRequestId) {
      const replay = await findReplay(context, clientRequestId);
      if (replay) return analysisFromRecord(replay, { deduplicated: true });
    }

    const bytes = request.bytes ?? decodeImageArgument(request.image ?? "", limits.maxImageBytes).bytes;
    checkImageBytes(bytes, limits.maxImageBytes);
    const header = await inspectImage(bytes, { maxInputPixels: limits.maxImagePixels });
    checkImageShape(header.width, header.height, limits);

    // explain runs a gradient pass per face: its own limit (faces per image, analyses at once per instance).
    const explain = request.explain ?? false;
    const explainSlot = explain ? acquireExplainSlot(runtime) : undefined;
    let lease: ReturnType<typeof runtime.models.acquire>;
    try {
      lease = runtime.models.acquire();
    } catch (error) {
      explainSlot?.release();
      throw error;
    }
    let result: AnalyzedImage;
    let modelVersion: string;
    let backend: string;
    const started = performance.now();
    try {
      result = await lease.analyzer.analyze(bytes, {
        explain,
        maxInputPixels: limits.maxImagePixels,
        maxFaces: limits.maxFaces,
        explainMaxFaces: limits.maxExplainFaces,
      });
      modelVersion = lease.analyzer.version;
      backend = lease.analyzer.backend;
    } finally {
      lease.release();
      explainSlot?.release();
    }
    const timings = { ...result.timings, totalMs: result.timings.totalMs ?? performance.now() - started };
    const faces = facesOf(result);
    const image = { width: result.image.width, height: result.image.height, format: header.format, bytes: bytes.byteLength };

    if (!store) {
      return {
        id: randomUUID(),
        modelVersion,
        backend,
        timings,
        faces,
        faceCount: faces.length,
        skipped: result.skipped,
        skippedOverFaceLimit: result.skippedOverFaceLimit,
        faceLimit: limits.maxFaces,
        image,
        source: request.source ?? null,
        campaign: request.campaign ?? null,
        capturedAt: request.capturedAt ?? new Date(),
        createdAt: new Date(),
        clientRequestId,
        stored: false,
        deduplicated: false,
        demo: false,
      };
    }

    const recorded = await recordAnalysis(runtime.db.prisma, {
      apiKeyId: apiKeyIdOf(context),
      idempotencyScope: idempotencyScopeOf(context),
      clientRequestId,
      source: request.source ?? null,
      campaign: request.campaign ?? null,
      capturedAt: request.capturedAt ?? null,
      modelVersion,
      backend,
      imageWidth: image.width,
      imageHeight: image.height,
      // skipped travels with the timings so a replay reports the same numbers as the first response.
      timings: { ...timings, skipped: result.skipped, skippedOverFaceLimit: result.skippedOverFaceLimit, faceLimit: limits.maxFaces },
      faces: faces.map((face) => ({
        box: face.box,
        detectionScore: face.detectionScore,
        probabilities: face.probabilities,
        dominantEmotion: face.dominantEmotion,
        valence: face.valence,
      })),
      storedImage: runtime.config.storeImages ? { bytes, mimeType: `image/${header.format}` } : null,
    });
    const view = analysisFromRecord(recorded.analysis, { deduplicated: recorded.replayed });
    if (recorded.replayed) return view;
    // Saliency maps and landmarks are per-response extras (never stored): attach them to the fresh result.
    return { ...view, faces: faces, image, timings };
  } catch (error) {
    throw toDatabaseError(error);
  }
}

export interface BatchItemResult {
  index: number;
  analysis?: AnalysisView;
  error?: { code: GraphQLCode; message: string; clientRequestId: string | null };
}

/** Analyses a batch one image at a time (inference is CPU-bound); one failure does not fail the others. */
export async function analyzeBatch(context: ApiContext, requests: AnalyzeRequest[]): Promise<BatchItemResult[]> {
  const max = context.runtime.config.limits.maxBatchSize;
  if (requests.length === 0) throw new AppError("BAD_USER_INPUT", "inputs must hold at least one image");
  if (requests.length > max) {
    throw new AppError("PAYLOAD_TOO_LARGE", `a batch holds at most ${max} images (got ${requests.length})`, {
      details: { maxBatchSize: max, received: requests.length },
      hint: "split the batch, or raise MOODLENS_MAX_BATCH",
    });
  }
  const results: BatchItemResult[] = [];
  for (const [index, request] of requests.entries()) {
    try {
      results.push({ index, analysis: await analyzeImage(context, request) });
    } catch (error) {
      const client = toClientError(error);
      if (client.code === "INTERNAL") context.runtime.log.error("batch item failed", { index, error: String(error) });
      results.push({ index, error: { code: client.code, message: client.message, clientRequestId: request.clientRequestId ?? null } });
    }
  }
  return results;
}
