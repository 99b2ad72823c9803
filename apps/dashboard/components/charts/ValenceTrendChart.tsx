"use client";

import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";
import { formatBucketLabel, formatDecimal, formatInteger } from "@/lib/format";
import type { ShareRow } from "@/lib/stats";
import {
  AXIS_TICK,
  ClickableChart,
  GRID_STROKE,
  useDrillDown,
  type TimeSeriesChartProps,
} from "./ClickableChart";

/**
 * Mean valence per bucket. The scale is symmetric around 0 (so above/below the line reads as positive/negative)
 * and only as wide as the data needs, but never narrower than ±0.2 so noise does not look dramatic.
 */
export function valenceDomain(values: readonly (number | null)[]): number {
  const extent = Math.max(0, ...values.filter((value): value is number => value != null).map(Math.abs));
  return Math.min(1, Math.max(0.2, Math.ceil(extent * 1.25 * 10) / 10));
}

export function ValenceTrendChart({ rows, bucket, timezone, drillDownHrefs, summary }: TimeSeriesChartProps) {
  const drillDown = useDrillDown(drillDownHrefs);
  const limit = valenceDomain(rows.map((row) => row.meanValence));
  const label = (start: string) => formatBucketLabel(start, bucket, timezone);
  return (
    <ClickableChart testId="chart-valence" summary={summary} data={{ points: rows.length, scale: limit }}>
      <LineChart
        responsive
        style={{ width: "100%", height: 220 }}
        data={rows}
        margin={{ top: 8, right: 12, bottom: 0, left: 0 }}
        title="Mean valence over time"
        desc={summary}
        onClick={drillDown}
      >
        <CartesianGrid strokeDasharray="3 3" stroke={GRID_STROKE} vertical={false} />
        <XAxis dataKey="start" tickFormatter={label} minTickGap={28} tick={AXIS_TICK} />
        <YAxis
          domain={[-limit, limit]}
          ticks={[-limit, -limit / 2, 0, limit / 2, limit]}
          tickFormatter={(value: number) => value.toFixed(2)}
          tick={AXIS_TICK}
          width={48}
        />
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
    </ClickableChart>
  );
}
