import type { ReactNode } from "react";

interface KpiCardProps {
  id: string;
  label: string;
  /** The raw number, exposed as data-value for tests and tools. */
  value: number | null;
  display: string;
  delta?: { text: string; direction: "up" | "down" | "flat"; good?: boolean } | null;
  note?: ReactNode;
}

/** One key figure. data-testid="kpi-<id>" carries data-value with the unrounded number. */
export function KpiCard({ id, label, value, display, delta, note }: KpiCardProps) {
  const tone =
    !delta || delta.direction === "flat" || delta.good === undefined
      ? ""
      : delta.good
        ? "delta--up"
        : "delta--down";
  const arrow = !delta ? "" : delta.direction === "up" ? "▲" : delta.direction === "down" ? "▼" : "■";
  return (
    <section className="card kpi" data-testid={`kpi-${id}`} data-value={value ?? ""} aria-label={label}>
      <h2 className="kpi__label">{label}</h2>
      <p className="kpi__value" data-testid={`kpi-${id}-value`}>
        {display}
      </p>
      <p className="kpi__delta" data-testid={`kpi-${id}-delta`}>
        {delta ? (
          <>
            <span className={tone}>
              <span aria-hidden="true">{arrow} </span>
              {delta.text}
            </span>{" "}
            vs previous period
          </>
        ) : (
          (note ?? "no previous period data")
        )}
      </p>
    </section>
  );
}
