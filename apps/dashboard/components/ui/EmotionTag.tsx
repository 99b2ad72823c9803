import { EMOTION_COLORS, type Emotion } from "@moodlens/shared";

export function EmotionTag({ emotion }: { emotion: Emotion }) {
  return (
    <span className="emotion-tag">
      <span className="swatch" style={{ background: EMOTION_COLORS[emotion] }} aria-hidden="true" />
      {emotion}
    </span>
  );
}
