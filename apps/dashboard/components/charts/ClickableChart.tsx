"use client";

import type { ReactNode } from "react";
import { useRouter } from "next/navigation";
import type { Bucket } from "@/lib/filters";
import type { ShareRow } from "@/lib/stats";

/** Props of the charts over time (one point per bucket). */
export interface TimeSeriesChartProps {
  rows: ShareRow[];
  bucket: Bucket;
  timezone: string;
  /** Drill-down link for a bucket (built on the server so it carries the current filters). */
  drillDownHrefs: string[];
  summary: string;
}

/** Axis tick and grid styles shared by the overview charts. */
export const AXIS_TICK = { fontSize: 12, fill: "#4f5969" } as const;
export const GRID_STROKE = "#e3e7ee";

/** A recharts `onClick` that opens the drill-down link of the clicked point or bar (null: not clickable). */
export function useDrillDown(
  hrefs: readonly (string | null)[],
): (state: { activeTooltipIndex?: unknown }) => void {
  const router = useRouter();
  return (state) => {
    const href = hrefs[Number(state.activeTooltipIndex)];
    if (href) router.push(href);
  };
}

/** The frame of a clickable chart: its test id and data attributes, and the summary for screen readers. */
export function ClickableChart({
  testId,
  summary,
  data,
  children,
}: {
  testId: string;
  summary: string;
  /** data-* attributes (tests read them), without the prefix: { points: 12 } becomes data-points="12". */
  data: Record<string, string | number>;
  children: ReactNode;
}) {
  const attributes = Object.fromEntries(Object.entries(data).map(([name, value]) => [`data-${name}`, value]));
  return (
    <div className="chart chart--clickable" data-testid={testId} {...attributes}>
      <p className="visually-hidden">{summary}</p>
      {children}
    </div>
  );
}
