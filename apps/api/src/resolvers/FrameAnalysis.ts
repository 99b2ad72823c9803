import { EMOTIONS } from "@moodlens/shared";
import type { TrackedFace } from "@moodlens/video";
import type { MutationResolvers } from "../generated/graphql";
import { requireScope } from "../auth/scopes";
import { decodeImageArgument } from "../limits/image-input";
import { analyzeFrame } from "../services/frames";

const emotionList = (probabilities: readonly number[]) =>
  EMOTIONS.map((emotion, i) => ({ emotion, probability: probabilities[i] ?? 0 }));

/** A tracked face in the GraphQL shape (emotions = smoothed, rawEmotions = this frame's own). */
const trackedFaceResult = (face: TrackedFace) => ({
  trackId: face.trackId,
  box: face.box,
  detectionScore: face.detectionScore,
  dominantEmotion: face.dominantEmotion,
  valence: face.valence,
  emotions: emotionList(face.probabilities),
  rawEmotions: emotionList(face.rawProbabilities),
  frames: face.frames,
});

/** analyzeFrame (registered in Mutation.ts): scope analyze; the base64 image is decoded here, once. */
export const frameMutations: Pick<MutationResolvers, "analyzeFrame"> = {
  analyzeFrame: async (_parent, { input }, context) => {
    requireScope(context.viewer, "analyze");
    const { image, ...rest } = input;
    const { bytes } = decodeImageArgument(image, context.runtime.config.limits.maxImageBytes);
    const result = await analyzeFrame(context, { ...rest, bytes });
    return {
      ...result,
      faces: result.faces.map(trackedFaceResult),
      timings: { ...result.timings, totalMs: result.timings.totalMs ?? 0 },
    };
  },
};
