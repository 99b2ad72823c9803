"use client";

import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";

export interface CurveRun {
  id: string;
  label: string;
  color: string;
  epochs: { epoch: number; train: number; val: number }[];
}

/** Training (solid) and validation (dashed) curves of several runs on one chart, one colour per run. */
export function TrainingCurves({
  runs,
  metric,
  testId,
}: {
  runs: CurveRun[];
  metric: "loss" | "accuracy";
  testId: string;
}) {
  const maxEpoch = Math.max(0, ...runs.flatMap((run) => run.epochs.map((epoch) => epoch.epoch)));
  const rows = Array.from({ length: maxEpoch }, (_, i) => {
    const epoch = i + 1;
    const row: Record<string, number | null> = { epoch };
    for (const run of runs) {
      const found = run.epochs.find((entry) => entry.epoch === epoch);
      row[`${run.id}:train`] = found?.train ?? null;
      row[`${run.id}:val`] = found?.val ?? null;
    }
    return row;
  });
  const title = metric === "loss" ? "Loss per epoch" : "Accuracy per epoch";
  const format = (value: number) =>
    metric === "accuracy" ? `${(value * 100).toFixed(1)}%` : value.toFixed(3);
  const summary = `${title}: ${runs
    .map((run) => {
      const last = run.epochs.at(-1);
      return last
        ? `${run.label} ends at epoch ${last.epoch} with training ${format(last.train)} and validation ${format(last.val)}`
        : `${run.label} has no epochs`;
    })
    .join("; ")}.`;
  if (rows.length === 0) return <p className="chart-hint">No epochs recorded for these runs.</p>;
  return (
    <div className="chart" data-testid={testId} data-runs={runs.length}>
      <p className="visually-hidden">{summary}</p>
      <LineChart
        responsive
        style={{ width: "100%", height: 260 }}
        data={rows}
        margin={{ top: 8, right: 12, bottom: 0, left: 0 }}
        title={title}
        desc={summary}
      >
        <CartesianGrid strokeDasharray="3 3" stroke="#e3e7ee" />
        <XAxis dataKey="epoch" tick={{ fontSize: 12, fill: "#4f5969" }} />
        <YAxis
          tick={{ fontSize: 12, fill: "#4f5969" }}
          width={52}
          domain={metric === "accuracy" ? [0, 1] : ["auto", "auto"]}
          tickFormatter={(value: number) =>
            metric === "accuracy" ? `${Math.round(value * 100)}%` : value.toFixed(2)
          }
        />
        <Tooltip
          formatter={(value, name) => [
            typeof value === "number" ? format(value) : String(value),
            String(name),
          ]}
          labelFormatter={(label) => `Epoch ${label}`}
        />
        {runs.flatMap((run) => [
          <Line
            key={`${run.id}:train`}
            dataKey={`${run.id}:train`}
            name={`${run.label} · training`}
            stroke={run.color}
            strokeWidth={2}
            dot={false}
            connectNulls
            isAnimationActive={false}
          />,
          <Line
            key={`${run.id}:val`}
            dataKey={`${run.id}:val`}
            name={`${run.label} · validation`}
            stroke={run.color}
            strokeWidth={2}
            strokeDasharray="6 4"
            dot={false}
            connectNulls
            isAnimationActive={false}
          />,
        ])}
      </LineChart>
      <ul className="legend" aria-label="Runs">
        {runs.map((run) => (
          <li key={run.id}>
            <span
              className="run-color"
              style={{ background: run.color, marginRight: 0 }}
              aria-hidden="true"
            />
            {run.label}
          </li>
        ))}
      </ul>
    </div>
  );
}
