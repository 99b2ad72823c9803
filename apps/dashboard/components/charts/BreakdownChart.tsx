"use client";

import { EMOTIONS, EMOTION_COLORS } from "@moodlens/shared";
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import type { BreakdownRow } from "@/lib/stats";
import { AXIS_TICK, ClickableChart, GRID_STROKE, useDrillDown } from "./ClickableChart";
import { EmotionTooltip } from "./EmotionTooltip";

interface Props {
  rows: BreakdownRow[];
  /** null for a group that cannot be filtered on (no source/campaign recorded). */
  drillDownHrefs: (string | null)[];
  testId: string;
  title: string;
  summary: string;
}

/** One horizontal 100% bar per source/campaign, split by emotion share. Click a bar for its analyses. */
export function BreakdownChart({ rows, drillDownHrefs, testId, title, summary }: Props) {
  const drillDown = useDrillDown(drillDownHrefs);
  const height = Math.max(140, rows.length * 38 + 40);
  return (
    <ClickableChart testId={testId} summary={summary} data={{ groups: rows.length }}>
      <BarChart
        responsive
        layout="vertical"
        style={{ width: "100%", height }}
        data={rows}
        stackOffset="expand"
        barCategoryGap={8}
        margin={{ top: 4, right: 12, bottom: 0, left: 4 }}
        title={title}
        desc={summary}
        onClick={drillDown}
      >
        <CartesianGrid strokeDasharray="3 3" stroke={GRID_STROKE} horizontal={false} />
        <XAxis
          type="number"
          tickFormatter={(value: number) => `${Math.round(value * 100)}%`}
          tick={AXIS_TICK}
        />
        <YAxis type="category" dataKey="label" width={110} tick={{ fontSize: 12, fill: "#1b2230" }} />
        <Tooltip
          cursor={{ fill: "rgb(47 75 196 / 8%)" }}
          content={<EmotionTooltip title={(row: BreakdownRow) => row.label} />}
        />
        {EMOTIONS.map((emotion) => (
          <Bar
            key={emotion}
            dataKey={emotion}
            name={emotion}
            stackId="share"
            fill={EMOTION_COLORS[emotion]}
            isAnimationActive={false}
          />
        ))}
      </BarChart>
    </ClickableChart>
  );
}
