import { BreakdownChart } from "@/components/charts/BreakdownChart";
import { EmotionLegend } from "@/components/charts/EmotionLegend";
import { BreakdownTable } from "@/components/overview/DataTables";
import { Card } from "@/components/ui/Card";
import { formatInteger, formatPercent } from "@/lib/format";
import type { BreakdownRow } from "@/lib/stats";

/** Screen-reader summary of a breakdown chart: the largest groups with their faces and happy share. */
export function breakdownSummary(rows: readonly BreakdownRow[], by: string): string {
  return `Emotion share by ${by}: ${rows
    .slice(0, 8)
    .map((row) => `${row.label} ${formatInteger(row.faces)} faces, happy ${formatPercent(row.happy)}`)
    .join("; ")}.`;
}

/**
 * The overview's "By source" / "By campaign" card: emotion share per group as bars and as a table, each group
 * linking to its analyses, and a note on the groups hidden for privacy.
 */
export function BreakdownCard({
  by,
  rows,
  hrefs,
  suppressed,
  minGroupSize,
}: {
  by: "source" | "campaign";
  rows: BreakdownRow[];
  /** Drill-down link per row; null for a group that cannot be filtered on. */
  hrefs: (string | null)[];
  /** Groups hidden for having fewer than minGroupSize faces. */
  suppressed: number;
  minGroupSize: number;
}) {
  return (
    <Card
      title={`By ${by}`}
      headingId={`${by}-heading`}
      description="Click a bar to see its analyses."
      testId={`card-by-${by}`}
    >
      {rows.length === 0 ? (
        <p className="chart-hint">No {by} large enough to show.</p>
      ) : (
        <>
          <EmotionLegend />
          <BreakdownChart
            rows={rows}
            drillDownHrefs={hrefs}
            testId={`chart-by-${by}`}
            title={`Emotion share by ${by}`}
            summary={breakdownSummary(rows, by)}
          />
          <BreakdownTable
            rows={rows}
            hrefs={hrefs}
            testId={`table-by-${by}`}
            keyLabel={by === "source" ? "Source" : "Campaign"}
          />
        </>
      )}
      {suppressed > 0 && (
        <p className="chart-hint">
          {suppressed} small {suppressed === 1 ? `${by} is` : `${by}s are`} hidden (fewer than {minGroupSize}{" "}
          faces).
        </p>
      )}
    </Card>
  );
}
