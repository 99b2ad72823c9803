import type { Resolvers } from "../generated/graphql";
import { Analysis } from "./Analysis";
import { AnalysisConnection } from "./AnalysisConnection";
import { AnalyzeImageResult } from "./AnalyzeImageResult";
import { BreakdownGroup } from "./BreakdownGroup";
import { Campaign } from "./Campaign";
import { EmotionStats } from "./EmotionStats";
import { EmotionStatsBucket } from "./EmotionStatsBucket";
import { enumResolvers } from "./enums";
import { Evaluation } from "./Evaluation";
import { Experiment } from "./Experiment";
import { Face } from "./Face";
import { ModelVersion } from "./ModelVersion";
import { Mutation } from "./Mutation";
import { Query } from "./Query";
import { Run } from "./Run";
import { DateTime, JSONScalar } from "./scalars";
import { Source } from "./Source";

/** The whole resolver map: one file per type, typed by the generated `Resolvers`. */
export const resolvers: Resolvers = {
  DateTime,
  JSON: JSONScalar,
  ...enumResolvers,
  Query,
  Mutation,
  Analysis,
  AnalysisConnection,
  AnalyzeImageResult,
  Face,
  EmotionStats,
  EmotionStatsBucket,
  BreakdownGroup,
  Source,
  Campaign,
  Experiment,
  Run,
  Evaluation,
  ModelVersion,
};
