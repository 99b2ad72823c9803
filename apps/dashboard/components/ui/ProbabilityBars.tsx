import { EMOTIONS, EMOTION_COLORS, type Emotion } from "@moodlens/shared";
import { formatPercent } from "@/lib/format";

/** Seven tiny vertical bars (EMOTIONS order); the text alternative lists every probability. */
export function ProbabilityBars({ probabilities }: { probabilities: Partial<Record<Emotion, number>> }) {
  const label = EMOTIONS.map((emotion) => `${emotion} ${formatPercent(probabilities[emotion] ?? 0)}`).join(
    ", ",
  );
  return (
    <div className="prob-bars" role="img" aria-label={label} title={label} data-testid="probability-bars">
      {EMOTIONS.map((emotion) => (
        <span
          key={emotion}
          className="prob-bars__bar"
          style={{
            height: `${Math.max(1, (probabilities[emotion] ?? 0) * 100)}%`,
            background: EMOTION_COLORS[emotion],
          }}
        />
      ))}
    </div>
  );
}

/** Labelled horizontal bars, for one face in Try it. */
export function ProbabilityList({ probabilities }: { probabilities: Partial<Record<Emotion, number>> }) {
  return (
    <ul className="prob-list">
      {EMOTIONS.map((emotion) => {
        const value = probabilities[emotion] ?? 0;
        return (
          <li key={emotion} data-emotion={emotion} data-probability={value.toFixed(4)}>
            <span className="emotion-tag">{emotion}</span>
            <span className="prob-list__track" aria-hidden="true">
              <span
                className="prob-list__fill"
                style={{ width: `${value * 100}%`, background: EMOTION_COLORS[emotion] }}
              />
            </span>
            <span className="prob-list__value">{formatPercent(value)}</span>
          </li>
        );
      })}
    </ul>
  );
}
