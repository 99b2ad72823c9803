"use client";

import { useId, useState } from "react";

export interface ParamRow {
  name: string;
  values: string[];
  differs: boolean;
}

/** Hyper-parameters side by side; "differences only" (on by default) hides the ones every run shares. */
export function ParamDiff({
  runs,
  rows,
}: {
  runs: { id: string; label: string; color: string }[];
  rows: ParamRow[];
}) {
  const [differencesOnly, setDifferencesOnly] = useState(runs.length > 1);
  const toggleId = useId();
  const visible = differencesOnly ? rows.filter((row) => row.differs) : rows;
  const differing = rows.filter((row) => row.differs).length;
  return (
    <div className="grid" style={{ gap: 8 }} data-testid="param-diff">
      <label className="checkbox" htmlFor={toggleId}>
        <input
          id={toggleId}
          type="checkbox"
          checked={differencesOnly}
          onChange={(event) => setDifferencesOnly(event.target.checked)}
          data-testid="param-diff-toggle"
        />
        Differences only ({differing} of {rows.length} parameters differ)
      </label>
      {visible.length === 0 ? (
        <p className="chart-hint" data-testid="param-diff-none">
          {rows.length === 0 ? "No parameters recorded." : "All parameters are the same for these runs."}
        </p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Parameter</th>
                {runs.map((run) => (
                  <th scope="col" key={run.id}>
                    <span className="run-color" style={{ background: run.color }} aria-hidden="true" />
                    {run.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {visible.map((row) => (
                <tr
                  key={row.name}
                  className={row.differs ? "diff-row--changed" : "diff-row--same"}
                  data-testid="param-row"
                  data-param={row.name}
                  data-differs={row.differs}
                >
                  <th scope="row">
                    <code>{row.name}</code>
                    {row.differs && <span className="visually-hidden"> (differs)</span>}
                  </th>
                  {row.values.map((value, i) => (
                    <td
                      key={runs[i]?.id ?? i}
                      style={{ whiteSpace: "normal", wordBreak: "break-word", maxWidth: 280 }}
                    >
                      {value}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
