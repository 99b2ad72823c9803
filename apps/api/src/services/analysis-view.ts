/**
 * How the API shows an analysis: the stored record from @moodlens/db, or a fresh result that was not stored.
 * Faces are the shared FacePrediction (with their index) all the way from the model to the client.
 */
import type { AnalysisFilter, AnalysisRecord, StoredFace } from "@moodlens/db";

/** A face in a response: saliency (a PNG data URL) only on fresh analyses with explain: true, never stored. */
export type FaceView = StoredFace & { saliency?: string | null };

export interface AnalysisView {
  id: string;
  modelVersion: string;
  backend: string | null;
  timings: Record<string, number> | null;
  /** Null when the faces were not loaded with the analysis (the Analysis.faces resolver batches them). */
  faces: FaceView[] | null;
  faceCount: number;
  skipped: number;
  skippedOverFaceLimit: number;
  faceLimit: number | null;
  image: { width: number; height: number; format?: string | null; bytes?: number | null } | null;
  source: string | null;
  campaign: string | null;
  capturedAt: Date;
  createdAt: Date;
  clientRequestId: string | null;
  stored: boolean;
  deduplicated: boolean;
  demo: boolean;
}

/** Filter in @moodlens/db's terms, carried along so lazily resolved counts use the same selection. */
export type DbAnalysisFilter = Omit<AnalysisFilter, "apiKeyId">;

export interface AnalysisConnectionView {
  items: AnalysisView[];
  endCursor: string | null;
  hasNextPage: boolean;
  /** For totalCount, counted only when selected. */
  filter: DbAnalysisFilter;
}

const TIMING_FIELDS = ["decodeMs", "detectMs", "classifyMs", "explainMs"] as const;
export type TimingsView = Record<(typeof TIMING_FIELDS)[number], number | null> & { totalMs: number };

/** The stages a client sees (stored analyses keep extra bookkeeping in their timings); null without a total. */
export function publicTimings(timings: Record<string, number> | null): TimingsView | null {
  if (!timings || typeof timings.totalMs !== "number") return null;
  const stages = Object.fromEntries(TIMING_FIELDS.map((field) => [field, timings[field] ?? null])) as Record<
    (typeof TIMING_FIELDS)[number],
    number | null
  >;
  return { ...stages, totalMs: timings.totalMs };
}

const numberRecord = (value: unknown): Record<string, number> | null => {
  if (!value || typeof value !== "object" || Array.isArray(value)) return null;
  const entries = Object.entries(value as Record<string, unknown>).filter(
    (entry): entry is [string, number] => typeof entry[1] === "number",
  );
  return entries.length ? Object.fromEntries(entries) : null;
};

/** A stored analysis as the API shows it (skipped counts travel in the stored timings, see analyzeImage). */
export function analysisFromRecord(
  record: AnalysisRecord,
  options: { deduplicated?: boolean } = {},
): AnalysisView {
  const timings = numberRecord(record.timings);
  return {
    id: record.id,
    modelVersion: record.modelVersion,
    backend: record.backend,
    timings,
    faces: record.faces,
    faceCount: record.faceCount,
    skipped: timings?.skipped ?? 0,
    skippedOverFaceLimit: timings?.skippedOverFaceLimit ?? 0,
    faceLimit: timings?.faceLimit ?? null,
    image: { width: record.imageWidth, height: record.imageHeight },
    source: record.source,
    campaign: record.campaign,
    capturedAt: record.capturedAt,
    createdAt: record.createdAt,
    clientRequestId: record.clientRequestId,
    stored: true,
    deduplicated: options.deduplicated ?? false,
    demo: record.isDemo,
  };
}
