import type { Resolvers } from "../generated/graphql";

/** GraphQL enum spellings -> the platform's internal values (the same maps codegen's enumValues declares). */
export const enumResolvers: Pick<Resolvers, "Emotion" | "RunStatus" | "ModelStage"> = {
  Emotion: {
    ANGRY: "angry",
    DISGUST: "disgust",
    FEAR: "fear",
    HAPPY: "happy",
    SAD: "sad",
    SURPRISE: "surprise",
    NEUTRAL: "neutral",
  },
  RunStatus: {
    QUEUED: "queued",
    RUNNING: "running",
    COMPLETED: "completed",
    FAILED: "failed",
    INTERRUPTED: "interrupted",
  },
  ModelStage: {
    DEVELOPMENT: "development",
    STAGING: "staging",
    PRODUCTION: "production",
    ARCHIVED: "archived",
  },
};
