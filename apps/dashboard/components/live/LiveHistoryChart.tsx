"use client";

import { EMOTIONS, EMOTION_COLORS } from "@moodlens/shared";
import { Area, AreaChart, CartesianGrid, XAxis, YAxis } from "recharts";
import { AXIS_TICK, GRID_STROKE } from "@/components/charts/ClickableChart";
import { HISTORY_SECONDS, type HistoryPoint } from "@/lib/live";

/** The last minute: mean smoothed probability of each emotion over the faces of each answered frame, stacked. */
export function LiveHistoryChart({ history }: { history: HistoryPoint[] }) {
  // Seconds before the newest frame, so the right edge is "now" and the window never shifts its labels.
  const now = history.length ? history[history.length - 1]!.t : 0;
  const data = history.map((point) => ({ ...point, ago: point.t - now }));
  return (
    <div className="chart" data-testid="live-history-chart" data-points={history.length}>
      <p className="visually-hidden">
        Stacked area of the mean smoothed probability of each emotion over the last {HISTORY_SECONDS} seconds,{" "}
        {history.length} frames.
      </p>
      <AreaChart
        responsive
        style={{ width: "100%", height: 220 }}
        data={data}
        margin={{ top: 8, right: 12, bottom: 0, left: 0 }}
        title="Expressions over the last minute"
      >
        <CartesianGrid strokeDasharray="3 3" stroke={GRID_STROKE} vertical={false} />
        <XAxis
          dataKey="ago"
          type="number"
          domain={[-HISTORY_SECONDS, 0]}
          ticks={[1, 0.75, 0.5, 0.25, 0].map((share) => -share * HISTORY_SECONDS)}
          tickFormatter={(ago: number) => (ago === 0 ? "now" : `${ago} s`)}
          tick={AXIS_TICK}
          allowDataOverflow
        />
        <YAxis
          domain={[0, 1]}
          tickFormatter={(value: number) => `${Math.round(value * 100)}%`}
          tick={AXIS_TICK}
          width={44}
        />
        {EMOTIONS.map((emotion) => (
          <Area
            key={emotion}
            type="monotone"
            dataKey={emotion}
            stackId="p"
            stroke={EMOTION_COLORS[emotion]}
            fill={EMOTION_COLORS[emotion]}
            fillOpacity={0.8}
            isAnimationActive={false}
          />
        ))}
      </AreaChart>
    </div>
  );
}
