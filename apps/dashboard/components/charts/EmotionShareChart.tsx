"use client";

import { EMOTIONS, EMOTION_COLORS } from "@moodlens/shared";
import { useRouter } from "next/navigation";
import { Area, AreaChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import { formatBucketLabel } from "@/lib/format";
import type { Bucket } from "@/lib/filters";
import type { ShareRow } from "@/lib/stats";
import { EmotionTooltip } from "./EmotionTooltip";

interface Props {
  rows: ShareRow[];
  bucket: Bucket;
  timezone: string;
  /** Drill-down link for a bucket (built on the server so it carries the current filters). */
  drillDownHrefs: string[];
  summary: string;
}

/** Stacked 100% area of emotion shares per bucket. Click a bucket to list the analyses behind it. */
export function EmotionShareChart({ rows, bucket, timezone, drillDownHrefs, summary }: Props) {
  const router = useRouter();
  const label = (start: string) => formatBucketLabel(start, bucket, timezone);
  return (
    <div
      className="chart chart--clickable"
      data-testid="chart-emotion-share"
      data-points={rows.length}
      data-bucket={bucket}
    >
      <p className="visually-hidden">{summary}</p>
      <AreaChart
        responsive
        style={{ width: "100%", height: 300 }}
        data={rows}
        stackOffset="expand"
        margin={{ top: 8, right: 12, bottom: 0, left: 0 }}
        title="Emotion share over time"
        desc={summary}
        onClick={(state) => {
          const href = drillDownHrefs[Number(state.activeTooltipIndex)];
          if (href) router.push(href);
        }}
      >
        <CartesianGrid strokeDasharray="3 3" stroke="#e3e7ee" vertical={false} />
        <XAxis
          dataKey="start"
          tickFormatter={label}
          minTickGap={28}
          tick={{ fontSize: 12, fill: "#4f5969" }}
        />
        <YAxis
          tickFormatter={(value: number) => `${Math.round(value * 100)}%`}
          tick={{ fontSize: 12, fill: "#4f5969" }}
          width={44}
        />
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
    </div>
  );
}
