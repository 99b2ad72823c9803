/**
 * Internal shapes behind the GraphQL object types (codegen `mappers`). Resolvers receive these as parents;
 * field resolvers in the per-type files turn them into the public shape.
 */
import type { AnalysisRecord, Evaluation, Experiment, ExperimentSummary, Face as FaceRow, ModelVersion, Run, RunSummary } from "@moodlens/db";
import type { ApiScope, Box, Emotion, Point } from "@moodlens/shared";

export interface FaceView {
  index: number;
  box: Box;
  detectionScore: number;
  /** EMOTIONS order. */
  probabilities: number[];
  dominantEmotion: Emotion;
  valence: number;
  /** PNG data URL, only on fresh analyses with explain: true. */
  saliency?: string | null;
  landmarks?: Point[] | null;
}

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

export interface ViewerView {
  /** The API key's id; for a signed-in dashboard user "user:<id>". */
  keyId: string;
  /** Set when the caller is a dashboard user (session credential) rather than an API key. */
  userId?: string;
  role?: string;
  name: string;
  scopes: ApiScope[];
  createdAt?: Date | null;
  expiresAt?: Date | null;
  rateLimitPerMinute?: number | null;
}

/** Experiments come from the list (with runCount) or from a by-id load (without). */
export type ExperimentView = Experiment & Partial<Pick<ExperimentSummary, "runCount" | "bestValAccuracy">>;
/** Runs come from listRuns/getRun (with summary fields and maybe relations) or from a by-id load (plain row). */
export type RunView = Run & Partial<Pick<RunSummary, "epochCount" | "bestValAccuracy" | "bestValMacroF1" | "experimentName">>;
export type EvaluationView = Evaluation;
export type ModelVersionView = ModelVersion;

export const faceFromRow = (row: FaceRow): FaceView => ({
  index: row.index,
  box: { x: row.boxX, y: row.boxY, width: row.boxWidth, height: row.boxHeight },
  detectionScore: row.detectionScore,
  probabilities: row.probabilities,
  dominantEmotion: row.dominantEmotion as Emotion,
  valence: row.valence,
});

const numberRecord = (value: unknown): Record<string, number> | null => {
  if (!value || typeof value !== "object" || Array.isArray(value)) return null;
  const entries = Object.entries(value as Record<string, unknown>).filter((entry): entry is [string, number] => typeof entry[1] === "number");
  return entries.length ? Object.fromEntries(entries) : null;
};

/** A stored analysis (from @moodlens/db) as the API shows it. */
export function analysisFromRecord(record: AnalysisRecord, options: { deduplicated?: boolean } = {}): AnalysisView {
  const timings = numberRecord(record.timings);
  return {
    id: record.id,
    modelVersion: record.modelVersion,
    backend: record.backend,
    timings,
    faces: record.faces ? record.faces.map(faceFromRow) : null,
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

/** Filter in @moodlens/db's terms, carried along so lazily resolved counts use the same selection. */
export interface DbAnalysisFilter {
  from?: Date;
  to?: Date;
  sources?: string[];
  campaigns?: string[];
  isDemo?: boolean;
  emotion?: Emotion;
}

export interface EmotionCountView {
  emotion: Emotion;
  count: number;
  share: number;
}

export interface StatsBucketView {
  start: Date;
  end: Date;
  faces: number;
  suppressed: boolean;
  meanValence: number | null;
  counts: EmotionCountView[];
  /** Analyses are counted on demand (only when the field is selected), and only for short series. */
  countFilter: DbAnalysisFilter | null;
}

export interface EmotionStatsView {
  bucket: "HOUR" | "DAY" | "WEEK" | "MONTH";
  timezone: string;
  from: Date;
  to: Date;
  totalFaces: number;
  meanValence: number | null;
  suppressed: number;
  minGroupSize: number;
  buckets: StatsBucketView[];
  counts: EmotionCountView[];
  computedFrom: string;
  filter: DbAnalysisFilter;
}

export interface BreakdownGroupView {
  key: string;
  faces: number;
  suppressed: boolean;
  meanValence: number | null;
  counts: EmotionCountView[];
  countFilter: DbAnalysisFilter | null;
}

export interface EmotionBreakdownView {
  by: "SOURCE" | "CAMPAIGN";
  totalFaces: number;
  suppressed: number;
  minGroupSize: number;
  groups: BreakdownGroupView[];
}

export interface DimensionView {
  name: string;
  faces: number;
  firstSeen: Date | null;
  lastSeen: Date | null;
  countFilter: DbAnalysisFilter;
}

export interface AnalysisConnectionView {
  items: AnalysisView[];
  endCursor: string | null;
  hasNextPage: boolean;
  /** For totalCount, counted only when selected. */
  filter: DbAnalysisFilter;
}
