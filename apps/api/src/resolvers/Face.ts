import { EMOTIONS } from "@moodlens/shared";
import type { FaceResolvers } from "../generated/graphql";

export const Face: FaceResolvers = {
  emotions: (face) => EMOTIONS.map((emotion, i) => ({ emotion, probability: face.probabilities[i] ?? 0 })),
  saliency: (face) => face.saliency ?? null,
  landmarks: (face) => face.landmarks ?? null,
};
