import type { ReactNode } from "react";
import Link from "next/link";
import { EMOTIONS } from "@moodlens/shared";
import { formatDecimal, formatInteger, formatPercent } from "@/lib/format";
import type { BreakdownRow, ShareRow } from "@/lib/stats";

/**
 * The numbers behind each chart as a table: the accessible alternative to the SVG, and a keyboard path to the
 * drill-down (every row links to its analyses). One column for the row's key (period, source, campaign), then
 * faces, mean valence and the share of each emotion.
 */
function StatsTable({
  testId,
  keyLabel,
  children,
}: {
  testId: string;
  keyLabel: string;
  children: ReactNode;
}) {
  return (
    <details className="data-table" data-testid={testId}>
      <summary>Show the data as a table</summary>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{keyLabel}</th>
              <th scope="col" className="num">
                Faces
              </th>
              <th scope="col" className="num">
                Mean valence
              </th>
              {EMOTIONS.map((emotion) => (
                <th scope="col" className="num" key={emotion} style={{ textTransform: "capitalize" }}>
                  {emotion}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>{children}</tbody>
        </table>
      </div>
    </details>
  );
}

/** One row: its key cell (a link when there is one), then the numbers. */
function StatsRow({
  row,
  label,
  href,
}: {
  row: ShareRow | BreakdownRow;
  label: ReactNode;
  href: string | null;
}) {
  return (
    <tr>
      <th scope="row">{href ? <Link href={href}>{label}</Link> : label}</th>
      <td className="num">{formatInteger(row.faces)}</td>
      <td className="num">{formatDecimal(row.meanValence, 3)}</td>
      {EMOTIONS.map((emotion) => (
        <td className="num" key={emotion}>
          {formatPercent(row[emotion])}
        </td>
      ))}
    </tr>
  );
}

export function BucketTable({
  rows,
  labels,
  hrefs,
  testId,
}: {
  rows: ShareRow[];
  labels: string[];
  hrefs: string[];
  testId: string;
}) {
  return (
    <StatsTable testId={testId} keyLabel="Period">
      {rows.map((row, i) => (
        <StatsRow key={row.start} row={row} label={labels[i]} href={hrefs[i] ?? "#"} />
      ))}
    </StatsTable>
  );
}

export function BreakdownTable({
  rows,
  hrefs,
  testId,
  keyLabel,
}: {
  rows: BreakdownRow[];
  hrefs: (string | null)[];
  testId: string;
  keyLabel: string;
}) {
  return (
    <StatsTable testId={testId} keyLabel={keyLabel}>
      {rows.map((row, i) => (
        <StatsRow key={row.label} row={row} label={row.label} href={hrefs[i] ?? null} />
      ))}
    </StatsTable>
  );
}
