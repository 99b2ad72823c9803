import Link from "next/link";
import { EMOTIONS } from "@moodlens/shared";
import { formatDecimal, formatInteger, formatPercent } from "@/lib/format";
import type { BreakdownRow, ShareRow } from "@/lib/stats";

/**
 * The numbers behind each chart as a table: the accessible alternative to the SVG, and a keyboard path to the
 * drill-down (every row links to its analyses).
 */
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
    <details className="data-table" data-testid={testId}>
      <summary>Show the data as a table</summary>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Period</th>
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
          <tbody>
            {rows.map((row, i) => (
              <tr key={row.start}>
                <th scope="row">
                  <Link href={hrefs[i] ?? "#"}>{labels[i]}</Link>
                </th>
                <td className="num">{formatInteger(row.faces)}</td>
                <td className="num">{formatDecimal(row.meanValence, 3)}</td>
                {EMOTIONS.map((emotion) => (
                  <td className="num" key={emotion}>
                    {formatPercent(row[emotion])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
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
          <tbody>
            {rows.map((row, i) => {
              const href = hrefs[i];
              return (
                <tr key={row.label}>
                  <th scope="row">{href ? <Link href={href}>{row.label}</Link> : row.label}</th>
                  <td className="num">{formatInteger(row.faces)}</td>
                  <td className="num">{formatDecimal(row.meanValence, 3)}</td>
                  {EMOTIONS.map((emotion) => (
                    <td className="num" key={emotion}>
                      {formatPercent(row[emotion])}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </details>
  );
}
