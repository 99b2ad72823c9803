/** How the API shows statistics: buckets and groups carry the filter their lazily counted analyses use. */
import type { Emotion } from "@moodlens/shared";
import type { DbAnalysisFilter } from "./analysis-view";

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
