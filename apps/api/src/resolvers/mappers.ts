/**
 * Internal shapes behind the GraphQL object types (codegen `mappers`, see codegen.ts). Each is owned by the service
 * (or auth) that produces it; this file only names them for codegen. Resolvers receive these as parents; field
 * resolvers in the per-type files turn them into the public shape.
 */
export type { ViewerView } from "../auth/viewer";
export type {
  AnalysisConnectionView,
  AnalysisView,
  DbAnalysisFilter,
  FaceView,
} from "../services/analysis-view";
export type { ExperimentView, RunView, EvaluationView } from "../services/experiments";
export type { ModelVersionView } from "../services/models";
export type {
  BreakdownGroupView,
  DimensionView,
  EmotionBreakdownView,
  EmotionCountView,
  EmotionStatsView,
  StatsBucketView,
} from "../services/stats-view";
