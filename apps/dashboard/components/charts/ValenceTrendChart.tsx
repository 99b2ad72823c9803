"use client";

import { useRouter } from "next/navigation";
import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";
import { formatBucketLabel, formatDecimal, formatInteger } from "@/lib/format";
import type { Bucket } from "@/lib/filters";
import type { ShareRow } from "@/lib/stats";

interface Props {
  rows: ShareRow[];
  bucket: Bucket;
  timezone: string;
  drillDownHrefs: string[];
  summary: string;
}

/** Mean valence per bucket on the fixed -1..1 scale (a fixed scale keeps small wiggles from looking dramatic). */
export function ValenceTrendChart({ rows, bucket, timezone, drillDownHrefs, summary }: Props) {
  const router = useRouter();
  const label = (start: string) => formatBucketLabel(start, bucket, timezone);
  return (
    <div className="chart chart--clickable" data-testid="chart-valence" data-points={rows.length}>
      <p className="visually-hidden">{summary}</p>
      <LineChart
        responsive
        style={{ width: "100%", height: 220 }}
        data={rows}
        margin={{ top: 8, right: 12, bottom: 0, left: 0 }}
        title="Mean valence over time"
        desc={summary}
        onClick={(state) => {
          const href = drillDownHrefs[Number(state.activeTooltipIndex)];
          if (href) router.push(href);
        }}
      >
        <CartesianGrid strokeDasharray="3 3" stroke="#e3e7ee" vertical={false} />
        <XAxis dataKey="start" tickFormatter={label} minTickGap={28} tick={{ fontSize: 12, fill: "#4f5969" }} />
        <YAxis domain={[-1, 1]} ticks={[-1, -0.5, 0, 0.5, 1]} tick={{ fontSize: 12, fill: "#4f5969" }} width={44} />
        <ReferenceLine y={0} stroke="#8a93a3" />
        <Tooltip
          content={({ active, payload }) => {
            const row = payload?.[0]?.payload as ShareRow | undefined;
            if (!active || !row) return null;
            return (
              <div className="tooltip">
                <strong>{label(row.start)}</strong>
                <div>Mean valence {formatDecimal(row.meanValence, 3)}</div>
                <div>{formatInteger(row.faces)} faces</div>
              </div>
            );
          }}
        />
        <Line
          type="monotone"
          dataKey="meanValence"
          name="Mean valence"
          stroke="#2f4bc4"
          strokeWidth={2}
          dot={rows.length <= 60}
          connectNulls
          isAnimationActive={false}
        />
      </LineChart>
    </div>
  );
}
