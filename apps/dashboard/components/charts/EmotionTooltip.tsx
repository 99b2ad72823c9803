"use client";

import { EMOTIONS, EMOTION_COLORS, type Emotion } from "@moodlens/shared";
import { formatDecimal, formatInteger, formatPercent } from "@/lib/format";

interface TooltipRow {
  faces: number;
  meanValence: number | null;
}

/** Tooltip body for a row that carries one share per emotion plus faces and mean valence. */
export function EmotionTooltip({
  active,
  payload,
  title,
}: {
  active?: boolean;
  payload?: readonly { payload?: unknown }[];
  title: (row: never) => string;
}) {
  const row = payload?.[0]?.payload as (TooltipRow & Record<Emotion, number | null>) | undefined;
  if (!active || !row) return null;
  return (
    <div className="tooltip">
      <strong>{title(row as never)}</strong>
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
