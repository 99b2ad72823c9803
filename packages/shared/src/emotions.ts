/**
 * The seven FER-2013 expression classes, in the order every model's softmax uses.
 * This is the only place the order is written down: trainer, model files, API and dashboard all read it here.
 */
export const EMOTIONS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"] as const;
export type Emotion = (typeof EMOTIONS)[number];

/** GraphQL enum spelling of each label (`ANGRY`, ...). */
export type EmotionEnum = Uppercase<Emotion>;
export const toEmotionEnum = (emotion: Emotion): EmotionEnum => emotion.toUpperCase() as EmotionEnum;
export const fromEmotionEnum = (value: string): Emotion => {
  const emotion = value.toLowerCase();
  if (!isEmotion(emotion)) throw new Error(`unknown emotion "${value}"`);
  return emotion;
};
export const isEmotion = (value: string): value is Emotion => (EMOTIONS as readonly string[]).includes(value);

/**
 * Valence of each expression on a -1..1 scale (negative .. positive), used for "mean valence".
 * Weights follow the usual circumplex placement of the basic emotions; surprise is mildly positive
 * because in customer-facing contexts it mostly co-occurs with positive reactions.
 */
export const VALENCE: Readonly<Record<Emotion, number>> = {
  angry: -0.8,
  disgust: -0.9,
  fear: -0.7,
  happy: 0.9,
  sad: -0.7,
  surprise: 0.3,
  neutral: 0,
};

/** Expression groups used by the dashboard's positive/negative share KPIs. */
export const POSITIVE_EMOTIONS: readonly Emotion[] = ["happy", "surprise"];
export const NEGATIVE_EMOTIONS: readonly Emotion[] = ["angry", "disgust", "fear", "sad"];

/** Display colours (WCAG AA against white for labels; distinct for colour-blind readers where possible). */
export const EMOTION_COLORS: Readonly<Record<Emotion, string>> = {
  angry: "#c0392b",
  disgust: "#6b8e23",
  fear: "#7d3c98",
  happy: "#d4a017",
  sad: "#2e86c1",
  surprise: "#e67e22",
  neutral: "#7f8c8d",
};

/**
 * Folder names used by other datasets for our labels (AffectNet, RAF-DB, CK+ style trees).
 * Labels the model does not have (e.g. `contempt`) are absent on purpose: importers count and skip them.
 */
export const EMOTION_ALIASES: Readonly<Record<string, Emotion>> = {
  angry: "angry",
  anger: "angry",
  disgust: "disgust",
  disgusted: "disgust",
  fear: "fear",
  fearful: "fear",
  happy: "happy",
  happiness: "happy",
  sad: "sad",
  sadness: "sad",
  surprise: "surprise",
  surprised: "surprise",
  neutral: "neutral",
};

/** Maps a dataset folder name to a label, or null when the model has no such class. */
export const emotionFromFolderName = (name: string): Emotion | null =>
  EMOTION_ALIASES[name.trim().toLowerCase()] ?? null;

/** Valence of a probability vector (expected value of the per-class valence). */
export const valenceOf = (probabilities: readonly number[]): number =>
  EMOTIONS.reduce((sum, emotion, i) => sum + VALENCE[emotion] * (probabilities[i] ?? 0), 0);

/** Index of the largest probability, as a label. */
export const dominantEmotion = (probabilities: readonly number[]): Emotion => {
  let best = 0;
  for (let i = 1; i < EMOTIONS.length; i++)
    if ((probabilities[i] ?? 0) > (probabilities[best] ?? 0)) best = i;
  return EMOTIONS[best]!;
};
