/** TypeScript shapes of the API answers the dashboard asks for (a subset of apps/api/src/schema/*.graphql). */
export type EmotionEnumValue = "ANGRY" | "DISGUST" | "FEAR" | "HAPPY" | "SAD" | "SURPRISE" | "NEUTRAL";
export type StatsBucket = "HOUR" | "DAY" | "WEEK" | "MONTH";

export interface EmotionCount {
  emotion: EmotionEnumValue;
  count: number;
  share: number;
}

export interface EmotionStatsBucket {
  start: string;
  end: string;
  faces: number;
  analyses: number;
  meanValence: number | null;
  counts: EmotionCount[];
}

export interface EmotionStats {
  bucket: StatsBucket;
  timezone: string;
  totalFaces: number;
  totalAnalyses: number;
  meanValence: number | null;
  suppressed: number;
  minGroupSize: number;
  buckets: EmotionStatsBucket[];
  counts: EmotionCount[];
}

export interface PeriodTotals {
  totalFaces: number;
  totalAnalyses: number;
  meanValence: number | null;
  counts: EmotionCount[];
}

export interface BreakdownGroup {
  key: string | null;
  faces: number;
  analyses: number;
  meanValence: number | null;
  counts: EmotionCount[];
}

export interface EmotionBreakdown {
  by: "SOURCE" | "CAMPAIGN";
  totalFaces: number;
  suppressed: number;
  minGroupSize: number;
  groups: BreakdownGroup[];
}

export interface NamedCount {
  name: string;
  analyses: number;
  faces: number;
  firstSeen: string | null;
  lastSeen: string | null;
}

export interface EmotionProbability {
  emotion: EmotionEnumValue;
  probability: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Face {
  index: number;
  box: Box;
  detectionScore: number;
  dominantEmotion: EmotionEnumValue;
  valence: number;
  emotions: EmotionProbability[];
  saliency?: string | null;
}

export interface AnalysisRow {
  id: string;
  capturedAt: string;
  source: string | null;
  campaign: string | null;
  faceCount: number;
  modelVersion: string;
  demo: boolean;
  faces: Face[];
}

export interface AnalysisConnection {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: AnalysisRow }[];
}

export interface AnalyzedImage {
  id: string;
  modelVersion: string;
  backend: string | null;
  stored: boolean;
  deduplicated: boolean;
  faceCount: number;
  skipped: number;
  image: { width: number; height: number; format: string | null; bytes: number | null } | null;
  timings: {
    totalMs: number;
    detectMs: number | null;
    classifyMs: number | null;
    explainMs: number | null;
  } | null;
  faces: Face[];
}

export type RunStatusValue = "QUEUED" | "RUNNING" | "COMPLETED" | "FAILED" | "INTERRUPTED";
export type RunOrderField = "CREATED_AT" | "FINISHED_AT" | "VAL_ACCURACY" | "MACRO_F1" | "NAME";

export interface ExperimentSummary {
  id: string;
  name: string;
  runCount: number;
}

export interface RunSummary {
  id: string;
  name: string | null;
  status: RunStatusValue;
  architecture: string | null;
  experimentId: string | null;
  experiment: { id: string; name: string } | null;
  params: Record<string, unknown> | null;
  metrics: Record<string, unknown> | null;
  bestValAccuracy: number | null;
  epochCount: number;
  createdAt: string;
  finishedAt: string | null;
  /** Present when the API exposes Run.tags. */
  tags?: string[];
}

export interface Epoch {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  valMacroF1: number | null;
}

export interface ClassMetric {
  emotion: EmotionEnumValue;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Evaluation {
  id: string;
  split: string | null;
  accuracy: number;
  macroF1: number;
  ece: number | null;
  samples: number | null;
  perClass: ClassMetric[];
  confusion: number[][];
  labels: EmotionEnumValue[];
  createdAt: string;
}

export interface ComparedRun extends RunSummary {
  epochs: Epoch[];
  evaluations: Evaluation[];
}

export interface ParamDiff {
  name: string;
  values: unknown[];
  differs: boolean;
}

export interface MetricComparison {
  name: string;
  values: (number | null)[];
  bestRunId: string | null;
}

export interface RunComparison {
  runs: ComparedRun[];
  params: ParamDiff[];
  metrics: MetricComparison[];
}

export type ModelStageValue = "DEVELOPMENT" | "STAGING" | "PRODUCTION" | "ARCHIVED";

export interface ModelVersion {
  id: string;
  version: string;
  stage: ModelStageValue;
  active: boolean;
  runId: string | null;
  run: { id: string; name: string | null } | null;
  architecture: string | null;
  metrics: Record<string, unknown> | null;
  accuracy: number | null;
  macroF1: number | null;
  createdAt: string;
  promotedAt: string | null;
}

export interface ServedModel {
  loaded: boolean;
  version: string | null;
  backend: string | null;
  error: string | null;
  loadedAt: string | null;
}

export interface ApiLimits {
  maxImageBytes: number;
  maxImagePixels: number;
  minGroupSize: number;
}

/** Video jobs and live frames (apps/api/src/schema/video.graphql). */
export type AnalysisKind = "PHOTO" | "VIDEO" | "LIVE";
export type VideoJobStatus = "QUEUED" | "RUNNING" | "DONE" | "FAILED" | "CANCELLED";

export interface FaceTrackSummary {
  index: number;
  firstSeconds: number;
  lastSeconds: number;
  frames: number;
  dominantEmotion: EmotionEnumValue;
  meanValence: number;
  emotions: EmotionProbability[];
}

export interface TimelineSecond {
  second: number;
  faces: number;
  meanValence: number | null;
  emotions: EmotionProbability[];
}

/** A job as the list and the progress poll show it (no tracks or timeline). */
export interface VideoJobSummary {
  id: string;
  status: VideoJobStatus;
  source: string | null;
  campaign: string | null;
  capturedAt: string;
  sampleFps: number;
  fileName: string | null;
  framesDone: number;
  framesTotal: number | null;
  progress: number;
  attempts: number;
  error: { code: string; message: string } | null;
  timings: {
    queuedMs: number | null;
    decodeMs: number | null;
    analyzeMs: number | null;
    totalMs: number | null;
  } | null;
  video: {
    width: number;
    height: number;
    durationSeconds: number;
    fps: number | null;
    codec: string | null;
    format: string | null;
    bytes: number;
  } | null;
  modelVersion: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  videoStored: boolean;
}

export interface VideoJobDetail extends VideoJobSummary {
  tracks: FaceTrackSummary[];
  timeline: TimelineSecond[];
}

export interface VideoJobConnection {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: VideoJobSummary[];
}

export interface TrackedFace {
  trackId: number;
  box: Box;
  detectionScore: number;
  dominantEmotion: EmotionEnumValue;
  valence: number;
  emotions: EmotionProbability[];
  rawEmotions: EmotionProbability[];
  frames: number;
}

export interface FrameAnalysis {
  streamId: string;
  timestamp: number;
  faces: TrackedFace[];
  modelVersion: string;
  timings: { totalMs: number } | null;
}
