"use client";

import { EMOTIONS, EMOTION_COLORS } from "@moodlens/shared";
import { Area, AreaChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import { formatBucketLabel } from "@/lib/format";
import type { ShareRow } from "@/lib/stats";
import {
  AXIS_TICK,
  ClickableChart,
  GRID_STROKE,
  useDrillDown,
  type TimeSeriesChartProps,
} from "./ClickableChart";
import { EmotionTooltip } from "./EmotionTooltip";

/** Stacked 100% area of emotion shares per bucket. Click a bucket to list the analyses behind it. */
export function EmotionShareChart({ rows, bucket, timezone, drillDownHrefs, summary }: TimeSeriesChartProps) {
  const drillDown = useDrillDown(drillDownHrefs);
  const label = (start: string) => formatBucketLabel(start, bucket, timezone);
  return (
    <ClickableChart testId="chart-emotion-share" summary={summary} data={{ points: rows.length, bucket }}>
      <AreaChart
        responsive
        style={{ width: "100%", height: 300 }}
        data={rows}
        stackOffset="expand"
        margin={{ top: 8, right: 12, bottom: 0, left: 0 }}
        title="Emotion share over time"
        desc={summary}
        onClick={drillDown}
      >
        <CartesianGrid strokeDasharray="3 3" stroke={GRID_STROKE} vertical={false} />
        <XAxis dataKey="start" tickFormatter={label} minTickGap={28} tick={AXIS_TICK} />
        <YAxis tickFormatter={(value: number) => `${Math.round(value * 100)}%`} tick={AXIS_TICK} width={44} />
        <Tooltip content={<EmotionTooltip title={(row: ShareRow) => label(row.start)} />} />
        {EMOTIONS.map((emotion) => (
          <Area
            key={emotion}
            type="monotone"
            dataKey={emotion}
            name={emotion}
            stackId="share"
            stroke={EMOTION_COLORS[emotion]}
            fill={EMOTION_COLORS[emotion]}
            fillOpacity={0.85}
            isAnimationActive={false}
          />
        ))}
      </AreaChart>
    </ClickableChart>
  );
}
