"use client";

import { usePathname, useRouter } from "next/navigation";
import { useId, useTransition } from "react";

interface Props {
  experiments: { id: string; name: string }[];
  statuses: readonly string[];
  tags: string[];
  experiment: string;
  status: string;
  tag: string;
  query: string;
}

/** Experiment, status and tag filters; each change rewrites the URL so the filtered table can be shared. */
export function RunFilters({ experiments, statuses, tags, experiment, status, tag, query }: Props) {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();
  const ids = { experiment: useId(), status: useId(), tag: useId() };
  const set = (key: string, value: string) => {
    const params = new URLSearchParams(query);
    if (value) params.set(key, value);
    else params.delete(key);
    const next = params.toString();
    startTransition(() => router.push(next ? `${pathname}?${next}` : pathname, { scroll: false }));
  };
  return (
    <div className="card" data-testid="run-filters">
      <div className="toolbar">
        <div className="field">
          <label htmlFor={ids.experiment}>Experiment</label>
          <select
            id={ids.experiment}
            value={experiment}
            onChange={(event) => set("experiment", event.target.value)}
            data-testid="filter-experiment"
          >
            <option value="">All experiments</option>
            {experiments.map((item) => (
              <option key={item.id} value={item.id}>
                {item.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.status}>Status</label>
          <select
            id={ids.status}
            value={status}
            onChange={(event) => set("status", event.target.value)}
            data-testid="filter-status"
          >
            <option value="">Any status</option>
            {statuses.map((item) => (
              <option key={item} value={item}>
                {item.toLowerCase()}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.tag}>Tag</label>
          <select
            id={ids.tag}
            value={tag}
            onChange={(event) => set("tag", event.target.value)}
            data-testid="filter-tag"
          >
            <option value="">Any tag</option>
            {[...new Set([...tags, ...(tag ? [tag] : [])])].map((item) => (
              <option key={item} value={item}>
                {item}
              </option>
            ))}
          </select>
        </div>
        <span role="status" aria-live="polite" className="chart-hint">
          {pending ? "Updating…" : ""}
        </span>
      </div>
    </div>
  );
}
