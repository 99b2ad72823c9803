import { EMOTIONS, EMOTION_COLORS } from "@moodlens/shared";

/** HTML legend (readable by screen readers and wraps on narrow screens, unlike an SVG legend). */
export function EmotionLegend() {
  return (
    <ul className="legend" aria-label="Emotion colours">
      {EMOTIONS.map((emotion) => (
        <li key={emotion}>
          <span className="swatch" style={{ background: EMOTION_COLORS[emotion] }} aria-hidden="true" />
          <span style={{ textTransform: "capitalize" }}>{emotion}</span>
        </li>
      ))}
    </ul>
  );
}
