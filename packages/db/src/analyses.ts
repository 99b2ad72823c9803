/**
 * Analyses and their faces. An analysis, its faces and the hourly rollups are written in ONE transaction, so
 * stats read from rollups always agree with the stored faces. Idempotency lives here and only here: a repeated
 * (idempotency scope, clientRequestId) returns the stored analysis instead of storing it twice, looked up inside
 * the same transaction, and also when both requests race (the unique index decides).
 */
import {
  EMOTIONS,
  dominantEmotion as argmaxEmotion,
  valenceOf,
  type Emotion,
  type FacePrediction,
} from "@moodlens/shared";
import { Prisma, type Analysis, type AnalysisKind, type Face } from "./generated/prisma/client";
import { isUniqueViolation } from "./errors";
import type { DbClient, Page, PageArgs } from "./types";
import { assertDate, badInput, decodeCursor, encodeCursor, isUuid, label, pageSize } from "./validate";

export const ANONYMOUS_SCOPE = "anonymous";
export const DEFAULT_SOURCE = "api";
export const DEFAULT_CAMPAIGN = "none";
const MAX_FACES = 256;
const PROBABILITY_TOLERANCE = 1e-3;
export const MAX_CLIENT_REQUEST_ID = 128;

/**
 * A face to store: the shared FacePrediction (what the model returns), where dominantEmotion defaults to the most
 * probable class and valence to valenceOf(probabilities). Landmarks are never stored.
 */
export type FaceInput = Pick<FacePrediction, "box" | "detectionScore"> & {
  probabilities: readonly number[];
} & Partial<Pick<FacePrediction, "dominantEmotion" | "valence">>;

/** A stored face as read back: the shared FacePrediction plus its position in the analysis. */
export type StoredFace = FacePrediction & { index: number };

export interface RecordAnalysisInput {
  apiKeyId?: string | null;
  /** Idempotency scope when the caller is not an API key (a signed-in dashboard user: "user:<id>"). */
  idempotencyScope?: string | null;
  /** Idempotency key chosen by the client; unique per API key (or among anonymous requests). */
  clientRequestId?: string | null;
  source?: string | null;
  campaign?: string | null;
  /** When the photo was taken; defaults to now. */
  capturedAt?: Date | null;
  modelVersion: string;
  backend: string;
  imageWidth: number;
  imageHeight: number;
  /** Milliseconds per stage. */
  timings?: Record<string, number>;
  faces: readonly FaceInput[];
  isDemo?: boolean;
  /** Only when the operator enabled image storage. */
  storedImage?: { bytes: Uint8Array; mimeType: string } | null;
}

/** An analysis as read back (the stored image bytes are left out; see getStoredImage). */
export type AnalysisRecord = Omit<Analysis, "storedImage"> & { hasStoredImage: boolean; faces: StoredFace[] };

export interface RecordAnalysisResult {
  analysis: AnalysisRecord;
  /** True when the clientRequestId was seen before and the stored analysis is returned unchanged. */
  replayed: boolean;
}

const hourStart = (date: Date): Date => new Date(Math.floor(date.getTime() / 3_600_000) * 3_600_000);

function checkFace(face: FaceInput, i: number): { dominant: Emotion; valence: number } {
  const { box, probabilities } = face;
  if (
    probabilities.length !== EMOTIONS.length ||
    probabilities.some((p) => !Number.isFinite(p) || p < 0 || p > 1)
  ) {
    throw badInput(`faces[${i}].probabilities must be ${EMOTIONS.length} numbers in 0..1 (EMOTIONS order)`);
  }
  const sum = probabilities.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > PROBABILITY_TOLERANCE)
    throw badInput(`faces[${i}].probabilities must sum to 1 (got ${sum.toFixed(4)})`);
  if (
    ![box.x, box.y, box.width, box.height, face.detectionScore].every(Number.isFinite) ||
    box.width <= 0 ||
    box.height <= 0
  ) {
    throw badInput(`faces[${i}] needs a finite box with positive size and a detection score`);
  }
  const dominant = face.dominantEmotion ?? argmaxEmotion(probabilities);
  if (!EMOTIONS.includes(dominant))
    throw badInput(`faces[${i}].dominantEmotion is not one of ${EMOTIONS.join(", ")}`);
  const valence = face.valence ?? valenceOf(probabilities);
  if (!Number.isFinite(valence)) throw badInput(`faces[${i}].valence must be finite`);
  return { dominant, valence };
}

/** The face row's columns as the shared face shape (the only place that knows the row's layout). */
export const faceFromRow = (row: Face): StoredFace => ({
  index: row.index,
  box: { x: row.boxX, y: row.boxY, width: row.boxWidth, height: row.boxHeight },
  detectionScore: row.detectionScore,
  probabilities: row.probabilities,
  dominantEmotion: row.dominantEmotion as Emotion,
  valence: row.valence,
});

// storedImageType is written exactly when storedImage is, so the flag needs no read of the bytes.
const toRecord = (row: Omit<Analysis, "storedImage"> & { faces: Face[] }): AnalysisRecord => ({
  ...row,
  hasStoredImage: row.storedImageType !== null,
  faces: row.faces.map(faceFromRow),
});
const ANALYSIS_OMIT = { storedImage: true } as const;
const WITH_FACES = { faces: { orderBy: { index: "asc" } } } as const;

/** Reads through the client or inside a transaction. */
type Reader = Prisma.TransactionClient;

async function readStored(prisma: Reader, where: Prisma.AnalysisWhereInput): Promise<AnalysisRecord | null> {
  const row = await prisma.analysis.findFirst({ where, omit: ANALYSIS_OMIT, include: WITH_FACES });
  return row ? toRecord(row) : null;
}

/** The client's idempotency key, trimmed; blank means none. */
function clientRequestIdOf(input: RecordAnalysisInput): string | null {
  const id = input.clientRequestId?.trim() || null;
  if (id && id.length > MAX_CLIENT_REQUEST_ID) {
    throw badInput(`clientRequestId must be at most ${MAX_CLIENT_REQUEST_ID} characters`, {
      field: "clientRequestId",
    });
  }
  return id;
}

/** An analysis checked and shaped for writing: labels, date and faces validated, rollup deltas summed. */
interface PreparedAnalysis {
  scope: string;
  clientRequestId: string | null;
  source: string;
  campaign: string;
  capturedAt: Date;
  isDemo: boolean;
  faces: { face: FaceInput; index: number; dominant: Emotion; valence: number }[];
  deltas: Map<Emotion, { faces: number; valenceSum: number }>;
}

function prepareAnalysis(input: RecordAnalysisInput): PreparedAnalysis {
  const clientRequestId = clientRequestIdOf(input);
  if (input.faces.length > MAX_FACES) throw badInput(`at most ${MAX_FACES} faces per analysis`);
  if (
    !Number.isInteger(input.imageWidth) ||
    !Number.isInteger(input.imageHeight) ||
    input.imageWidth <= 0 ||
    input.imageHeight <= 0
  ) {
    throw badInput("imageWidth and imageHeight must be positive integers");
  }
  const faces = input.faces.map((face, index) => ({ face, index, ...checkFace(face, index) }));
  // Rollup deltas: one row per emotion present in this analysis.
  const deltas = new Map<Emotion, { faces: number; valenceSum: number }>();
  for (const { dominant, valence } of faces) {
    const delta = deltas.get(dominant) ?? { faces: 0, valenceSum: 0 };
    delta.faces += 1;
    delta.valenceSum += valence;
    deltas.set(dominant, delta);
  }
  return {
    scope: input.apiKeyId ?? input.idempotencyScope ?? ANONYMOUS_SCOPE,
    clientRequestId,
    source: label(input.source, "source", DEFAULT_SOURCE),
    campaign: label(input.campaign, "campaign", DEFAULT_CAMPAIGN),
    capturedAt: assertDate(input.capturedAt ?? new Date(), "capturedAt"),
    isDemo: input.isDemo ?? false,
    faces,
    deltas,
  };
}

async function insertAnalysis(
  tx: Prisma.TransactionClient,
  input: RecordAnalysisInput,
  prepared: PreparedAnalysis,
): Promise<string> {
  const { source, campaign, capturedAt, isDemo } = prepared;
  const analysis = await tx.analysis.create({
    data: {
      apiKeyId: input.apiKeyId ?? null,
      idempotencyScope: prepared.scope,
      clientRequestId: prepared.clientRequestId,
      source,
      campaign,
      capturedAt,
      modelVersion: input.modelVersion,
      backend: input.backend,
      imageWidth: input.imageWidth,
      imageHeight: input.imageHeight,
      faceCount: prepared.faces.length,
      timings: input.timings ?? {},
      isDemo,
      storedImage: input.storedImage ? Buffer.from(input.storedImage.bytes) : null,
      storedImageType: input.storedImage?.mimeType ?? null,
      faces: {
        createMany: {
          data: prepared.faces.map(({ face, index, dominant, valence }) => ({
            index,
            boxX: face.box.x,
            boxY: face.box.y,
            boxWidth: face.box.width,
            boxHeight: face.box.height,
            detectionScore: face.detectionScore,
            probabilities: [...face.probabilities],
            dominantEmotion: dominant,
            valence,
            capturedAt,
            source,
            campaign,
            isDemo,
          })),
        },
      },
    },
    select: { id: true },
  });
  return analysis.id;
}

async function addToRollups(tx: Prisma.TransactionClient, prepared: PreparedAnalysis): Promise<void> {
  if (prepared.deltas.size === 0) return;
  const { source, campaign, isDemo } = prepared;
  const hour = hourStart(prepared.capturedAt).toISOString();
  const rows = [...prepared.deltas].map(
    ([emotion, delta]) =>
      Prisma.sql`(${hour}::timestamptz, ${source}, ${campaign}, ${emotion}::"Emotion", ${isDemo}, ${delta.faces}, ${delta.valenceSum}::float8)`,
  );
  await tx.$executeRaw`
    INSERT INTO hourly_emotion_rollup (hour_start, source, campaign, emotion, is_demo, faces, valence_sum)
    VALUES ${Prisma.join(rows)}
    ON CONFLICT (hour_start, source, campaign, emotion, is_demo, kind) DO UPDATE
    SET faces = hourly_emotion_rollup.faces + EXCLUDED.faces,
        valence_sum = hourly_emotion_rollup.valence_sum + EXCLUDED.valence_sum`;
}

/**
 * Stores an analysis with its faces and updates the hourly rollups, in one transaction.
 * The same (idempotency scope, clientRequestId) returns the first stored analysis with `replayed: true`.
 */
export async function recordAnalysis(
  prisma: DbClient,
  input: RecordAnalysisInput,
): Promise<RecordAnalysisResult> {
  const prepared = prepareAnalysis(input);
  const { scope, clientRequestId } = prepared;
  const earlier = clientRequestId ? { idempotencyScope: scope, clientRequestId } : null;
  try {
    return await prisma.$transaction(async (tx) => {
      const replay = earlier ? await readStored(tx, earlier) : null;
      if (replay) return { analysis: replay, replayed: true };
      const id = await insertAnalysis(tx, input, prepared);
      await addToRollups(tx, prepared);
      const stored = await readStored(tx, { id });
      if (!stored) throw new Error(`analysis ${id} vanished right after it was stored`);
      return { analysis: stored, replayed: false };
    });
  } catch (error) {
    // A concurrent request with the same idempotency key won the race: return what it stored.
    if (earlier && isUniqueViolation(error)) {
      const existing = await readStored(prisma, earlier);
      if (existing) return { analysis: existing, replayed: true };
    }
    throw error;
  }
}

export async function getAnalysis(prisma: DbClient, id: string): Promise<AnalysisRecord | null> {
  if (!isUuid(id)) return null;
  return readStored(prisma, { id });
}

/** The stored upload of an analysis, when image storage was enabled for it. */
export async function getStoredImage(
  prisma: DbClient,
  id: string,
): Promise<{ bytes: Uint8Array; mimeType: string } | null> {
  if (!isUuid(id)) return null;
  const row = await prisma.analysis.findUnique({
    where: { id },
    select: { storedImage: true, storedImageType: true },
  });
  if (!row?.storedImage) return null;
  return {
    bytes: new Uint8Array(row.storedImage),
    mimeType: row.storedImageType ?? "application/octet-stream",
  };
}

export interface AnalysisFilter {
  from?: Date;
  to?: Date;
  sources?: string[];
  campaigns?: string[];
  apiKeyId?: string;
  isDemo?: boolean;
  /** Only analyses where this emotion dominates at least one face. */
  emotion?: Emotion;
  /** Only these kinds (PHOTO, VIDEO, LIVE); unset or empty: all. */
  kinds?: AnalysisKind[];
}

function analysisWhere(filter: AnalysisFilter): Prisma.AnalysisWhereInput {
  const where: Prisma.AnalysisWhereInput = {};
  if (filter.kinds?.length) where.kind = { in: filter.kinds };
  if (filter.from || filter.to) {
    where.capturedAt = {
      ...(filter.from ? { gte: assertDate(filter.from, "from") } : {}),
      ...(filter.to ? { lt: assertDate(filter.to, "to") } : {}),
    };
  }
  if (filter.sources?.length) where.source = { in: filter.sources };
  if (filter.campaigns?.length) where.campaign = { in: filter.campaigns };
  if (filter.apiKeyId) where.apiKeyId = filter.apiKeyId;
  if (filter.isDemo !== undefined) where.isDemo = filter.isDemo;
  if (filter.emotion) where.faces = { some: { dominantEmotion: filter.emotion } };
  return where;
}

/** Newest first (capturedAt desc, id desc), with keyset cursors that stay stable while new analyses arrive. */
export async function listAnalyses(
  prisma: DbClient,
  filter: AnalysisFilter = {},
  page: PageArgs = {},
): Promise<Page<AnalysisRecord>> {
  const first = pageSize(page.first);
  const where = analysisWhere(filter);
  if (page.after) {
    const [at, id] = decodeCursor(page.after, 2) as [string, string];
    const capturedAt = new Date(at);
    if (Number.isNaN(capturedAt.getTime()) || !isUuid(id)) throw badInput("invalid cursor");
    where.AND = [{ OR: [{ capturedAt: { lt: capturedAt } }, { capturedAt, id: { lt: id } }] }];
  }
  const rows = await prisma.analysis.findMany({
    where,
    orderBy: [{ capturedAt: "desc" }, { id: "desc" }],
    take: first + 1,
    omit: ANALYSIS_OMIT,
    include: WITH_FACES,
  });
  const hasNextPage = rows.length > first;
  const items = rows.slice(0, first).map(toRecord);
  const last = items.at(-1);
  return {
    items,
    hasNextPage,
    endCursor: last ? encodeCursor([last.capturedAt.toISOString(), last.id]) : null,
  };
}

export async function countAnalyses(prisma: DbClient, filter: AnalysisFilter = {}): Promise<number> {
  return prisma.analysis.count({ where: analysisWhere(filter) });
}
