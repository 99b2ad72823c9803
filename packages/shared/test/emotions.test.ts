import { describe, expect, it } from "vitest";
import { EMOTIONS, dominantEmotion, emotionFromFolderName, valenceOf, VALENCE } from "../src/index";

describe("emotion labels", () => {
  it("keeps the FER-2013 order", () => {
    expect(EMOTIONS).toEqual(["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]);
  });

  it("maps other datasets' folder names and rejects labels the model lacks", () => {
    expect(emotionFromFolderName("Sadness")).toBe("sad");
    expect(emotionFromFolderName("happiness")).toBe("happy");
    expect(emotionFromFolderName("surprised")).toBe("surprise");
    expect(emotionFromFolderName("contempt")).toBeNull();
  });

  it("computes valence as the expectation over classes", () => {
    const oneHotHappy = EMOTIONS.map((e) => (e === "happy" ? 1 : 0));
    expect(valenceOf(oneHotHappy)).toBeCloseTo(VALENCE.happy);
    const uniform = EMOTIONS.map(() => 1 / 7);
    const mean = Object.values(VALENCE).reduce((a, b) => a + b, 0) / 7;
    expect(valenceOf(uniform)).toBeCloseTo(mean);
  });

  it("picks the dominant emotion", () => {
    expect(dominantEmotion([0.1, 0, 0, 0.2, 0.6, 0.05, 0.05])).toBe("sad");
  });
});
