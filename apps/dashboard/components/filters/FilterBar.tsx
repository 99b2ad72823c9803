"use client";

import { usePathname, useRouter } from "next/navigation";
import { useId, useState, useTransition, type FormEvent } from "react";
import { COMMON_TIMEZONES } from "@/lib/time";
import { RANGE_PRESETS, type RangePreset } from "@/lib/filters";

export interface FilterBarProps {
  range: RangePreset | "custom";
  /** Calendar days (YYYY-MM-DD, inclusive) of the current range in the chosen zone, for the date inputs. */
  fromDay: string;
  toDay: string;
  sources: string[];
  campaigns: string[];
  timezone: string;
  sourceOptions: string[];
  campaignOptions: string[];
  /** The current query string (from the server), the base every change edits. */
  query: string;
}

/**
 * Date range (presets or custom days), sources, campaigns and time zone. Every change rewrites the URL
 * (router.push) so the server re-renders the view with the new filters and the link can be shared.
 */
export function FilterBar(props: FilterBarProps) {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();
  const [fromDay, setFromDay] = useState(props.fromDay);
  const [toDay, setToDay] = useState(props.toDay);
  const [dateError, setDateError] = useState<string | null>(null);
  const ids = { from: useId(), to: useId(), tz: useId(), status: useId() };

  const navigate = (mutate: (params: URLSearchParams) => void) => {
    const params = new URLSearchParams(props.query);
    params.delete("after");
    params.delete("page");
    mutate(params);
    const query = params.toString();
    startTransition(() => router.push(query ? `${pathname}?${query}` : pathname, { scroll: false }));
  };

  const choosePreset = (preset: RangePreset) =>
    navigate((params) => {
      params.delete("from");
      params.delete("to");
      params.set("range", preset);
    });

  const applyDates = (event: FormEvent) => {
    event.preventDefault();
    if (!fromDay || !toDay) return setDateError("Choose both a start and an end date.");
    if (fromDay > toDay) return setDateError("The start date must be on or before the end date.");
    setDateError(null);
    navigate((params) => {
      params.delete("range");
      params.set("from", fromDay);
      params.set("to", toDay);
    });
  };

  const toggle = (key: "sources" | "campaigns", current: string[], value: string, checked: boolean) =>
    navigate((params) => {
      const next = checked ? [...current, value] : current.filter((item) => item !== value);
      if (next.length) params.set(key, next.join(","));
      else params.delete(key);
    });

  const timezones = COMMON_TIMEZONES.includes(props.timezone as (typeof COMMON_TIMEZONES)[number])
    ? COMMON_TIMEZONES
    : [props.timezone, ...COMMON_TIMEZONES];

  return (
    <div className="card" data-testid="filter-bar">
      <div className="filter-bar">
        <fieldset className="field">
          <legend className="field__label">Period</legend>
          <div className="segmented" role="group" aria-label="Period presets">
            {RANGE_PRESETS.map((preset) => (
              <button
                key={preset.id}
                type="button"
                aria-pressed={props.range === preset.id}
                data-testid={`filter-range-${preset.id}`}
                onClick={() => choosePreset(preset.id)}
                title={preset.label}
              >
                {preset.id}
              </button>
            ))}
          </div>
        </fieldset>

        <form className="toolbar" onSubmit={applyDates} aria-label="Custom date range" noValidate>
          <div className="field">
            <label htmlFor={ids.from}>From</label>
            <input
              id={ids.from}
              type="date"
              value={fromDay}
              onChange={(event) => setFromDay(event.target.value)}
              data-testid="filter-from"
              aria-invalid={dateError ? true : undefined}
            />
          </div>
          <div className="field">
            <label htmlFor={ids.to}>To (inclusive)</label>
            <input
              id={ids.to}
              type="date"
              value={toDay}
              onChange={(event) => setToDay(event.target.value)}
              data-testid="filter-to"
              aria-invalid={dateError ? true : undefined}
            />
          </div>
          <button type="submit" className="button button--secondary" data-testid="filter-apply">
            Apply dates
          </button>
        </form>

        <div className="field">
          <label htmlFor={ids.tz}>Time zone</label>
          <select
            id={ids.tz}
            value={props.timezone}
            data-testid="filter-timezone"
            onChange={(event) =>
              navigate((params) => {
                if (event.target.value === "UTC") params.delete("tz");
                else params.set("tz", event.target.value);
              })
            }
          >
            {timezones.map((zone) => (
              <option key={zone} value={zone}>
                {zone}
              </option>
            ))}
          </select>
        </div>

        <ChipGroup
          legend="Sources"
          name="sources"
          options={props.sourceOptions}
          selected={props.sources}
          onToggle={(value, checked) => toggle("sources", props.sources, value, checked)}
        />
        <ChipGroup
          legend="Campaigns"
          name="campaigns"
          options={props.campaignOptions}
          selected={props.campaigns}
          onToggle={(value, checked) => toggle("campaigns", props.campaigns, value, checked)}
        />

        {(props.sources.length > 0 || props.campaigns.length > 0 || props.range !== "30d" || props.timezone !== "UTC") && (
          <button
            type="button"
            className="button button--secondary button--small"
            data-testid="filter-reset"
            onClick={() => startTransition(() => router.push(pathname, { scroll: false }))}
          >
            Reset filters
          </button>
        )}
      </div>
      <p id={ids.status} role="status" aria-live="polite" className="chart-hint" data-testid="filter-status">
        {dateError ? <span style={{ color: "var(--negative)" }}>{dateError}</span> : pending ? "Updating…" : ""}
      </p>
    </div>
  );
}

function ChipGroup({
  legend,
  name,
  options,
  selected,
  onToggle,
}: {
  legend: string;
  name: string;
  options: string[];
  selected: string[];
  onToggle: (value: string, checked: boolean) => void;
}) {
  // Selected values that no longer exist in the options list still show, so they can be removed.
  const all = [...new Set([...options, ...selected])];
  return (
    <fieldset className="field">
      <legend className="field__label">
        {legend} {selected.length === 0 && <span style={{ fontWeight: 400 }}>(all)</span>}
      </legend>
      {all.length === 0 ? (
        <span className="chart-hint">none recorded</span>
      ) : (
        <div className="chips">
          {all.map((value) => (
            <label className="chip" key={value}>
              <input
                type="checkbox"
                name={name}
                value={value}
                checked={selected.includes(value)}
                onChange={(event) => onToggle(value, event.target.checked)}
                data-testid={`filter-${name === "sources" ? "source" : "campaign"}-${value}`}
              />
              {value}
            </label>
          ))}
        </div>
      )}
    </fieldset>
  );
}
