"use client";

import { EMOTIONS, EMOTION_COLORS, type Emotion } from "@moodlens/shared";
import { formatDecimal, formatInteger, formatPercent } from "@/lib/format";

/** Any chart row with faces, mean valence and one share per emotion (ShareRow, BreakdownRow). */
type TooltipRow = { faces: number; meanValence: number | null } & Record<Emotion, number | null>;

/** Tooltip body for a row that carries one share per emotion plus faces and mean valence. */
export function EmotionTooltip<Row extends TooltipRow>({
  active,
  payload,
  title,
}: {
  active?: boolean;
  payload?: readonly { payload?: unknown }[];
  title: (row: Row) => string;
}) {
  // recharts hands back the data row it was given, typed loosely.
  const row = payload?.[0]?.payload as Row | undefined;
  if (!active || !row) return null;
  return (
    <div className="tooltip">
      <strong>{title(row)}</strong>
      <div>
        {formatInteger(row.faces)} faces · mean valence {formatDecimal(row.meanValence, 2)}
      </div>
      {row.faces === 0 ? null : (
        <ul>
          {[...EMOTIONS].reverse().map((emotion) => (
            <li key={emotion}>
              <span
                className="swatch"
                style={{ background: EMOTION_COLORS[emotion], marginRight: 6 }}
                aria-hidden="true"
              />
              <span style={{ textTransform: "capitalize" }}>{emotion}</span> {formatPercent(row[emotion])}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
