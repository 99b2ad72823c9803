"use client";

import Link from "next/link";
import { useState } from "react";

export interface RunRow {
  id: string;
  name: string;
  experiment: string;
  status: string;
  architecture: string;
  tags: string[];
  epochs: number;
  valAccuracy: number | null;
  macroF1: number | null;
  createdAt: string;
  finishedAt: string;
}

export interface SortHeader {
  key: string;
  label: string;
  numeric?: boolean;
  /** Hidden on narrow (tablet) screens. */
  narrowHidden?: boolean;
  /** Present when the API can sort by this column. */
  href?: string;
  sort?: "ascending" | "descending";
}

const MAX_COMPARE = 10;
const pct = (value: number | null) => (value == null ? "–" : `${(value * 100).toFixed(1)}%`);

/** Runs with a checkbox each; two to ten selected runs can be compared. */
export function RunsTable({ rows, headers }: { rows: RunRow[]; headers: SortHeader[] }) {
  const [selected, setSelected] = useState<string[]>([]);
  const toggle = (id: string, checked: boolean) =>
    setSelected((current) =>
      checked ? [...current, id].slice(-MAX_COMPARE) : current.filter((item) => item !== id),
    );
  const canCompare = selected.length >= 2;
  const compareHref = `/experiments/compare?ids=${selected.map(encodeURIComponent).join(",")}`;

  const cell = (row: RunRow, key: string) => {
    switch (key) {
      case "name":
        return <Link href={`/experiments/compare?ids=${encodeURIComponent(row.id)}`}>{row.name}</Link>;
      case "status":
        return (
          <span className={`status status--${row.status.toLowerCase()}`}>{row.status.toLowerCase()}</span>
        );
      case "tags":
        return row.tags.length ? (
          row.tags.map((tag) => (
            <span className="tag" key={tag}>
              {tag}
            </span>
          ))
        ) : (
          <span className="chart-hint">–</span>
        );
      case "valAccuracy":
        return pct(row.valAccuracy);
      case "macroF1":
        return row.macroF1 == null ? "–" : row.macroF1.toFixed(3);
      default:
        return String(row[key as keyof RunRow] ?? "–");
    }
  };

  return (
    <div className="grid" style={{ gap: 12 }}>
      <div className="toolbar" data-testid="compare-bar">
        {canCompare ? (
          <Link className="button" href={compareHref} data-testid="compare-selected">
            Compare {selected.length} runs
          </Link>
        ) : (
          <span className="button" aria-disabled="true" data-testid="compare-selected">
            Compare runs
          </span>
        )}
        <span className="chart-hint" role="status" aria-live="polite">
          {selected.length === 0
            ? "Tick two to ten runs to compare their curves, parameters and metrics."
            : `${selected.length} selected${selected.length === 1 ? " — pick at least one more" : ""}.`}
        </span>
        {selected.length > 0 && (
          <button
            type="button"
            className="button button--secondary button--small"
            onClick={() => setSelected([])}
          >
            Clear selection
          </button>
        )}
      </div>
      <div className="table-wrap">
        <table className="table" data-testid="runs-table">
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">Select</span>
              </th>
              {headers.map((header) => (
                <th
                  key={header.key}
                  scope="col"
                  className={
                    [header.numeric ? "num" : "", header.narrowHidden ? "hide-narrow" : ""]
                      .join(" ")
                      .trim() || undefined
                  }
                  aria-sort={header.sort}
                >
                  {header.href ? (
                    <Link className="sort-link" href={header.href} data-testid={`sort-${header.key}`}>
                      {header.label}
                      <span aria-hidden="true">
                        {header.sort === "ascending" ? "▲" : header.sort === "descending" ? "▼" : "↕"}
                      </span>
                    </Link>
                  ) : (
                    header.label
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id} data-testid="run-row" data-id={row.id} data-status={row.status}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select run ${row.name} for comparison`}
                    checked={selected.includes(row.id)}
                    onChange={(event) => toggle(row.id, event.target.checked)}
                    data-testid="run-select"
                  />
                </td>
                {headers.map((header) => (
                  <td
                    key={header.key}
                    className={
                      [header.numeric ? "num" : "", header.narrowHidden ? "hide-narrow" : ""]
                        .join(" ")
                        .trim() || undefined
                    }
                  >
                    {cell(row, header.key)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
