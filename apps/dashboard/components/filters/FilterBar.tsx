"use client";

import { usePathname, useRouter } from "next/navigation";
import { useId, useOptimistic, useState, useTransition, type FormEvent } from "react";
import { COMMON_TIMEZONES } from "@/lib/time";
import { ANALYSIS_KINDS, RANGE_PRESETS, type AnalysisKindId, type RangePreset } from "@/lib/filters";

export interface FilterBarProps {
  range: RangePreset | "custom";
  /** Calendar days (YYYY-MM-DD, inclusive) of the current range in the chosen zone, for the date inputs. */
  fromDay: string;
  toDay: string;
  sources: string[];
  campaigns: string[];
  /** Kinds of results shown (empty: all). */
  kinds: AnalysisKindId[];
  timezone: string;
  sourceOptions: string[];
  campaignOptions: string[];
  /** The current query string (from the server), the base every change edits. */
  query: string;
}

type Shown = Pick<FilterBarProps, "range" | "sources" | "campaigns" | "kinds" | "timezone">;

/**
 * Date range (presets or custom days), sources, campaigns and time zone. Every change rewrites the URL
 * (router.push) so the server re-renders the view with the new filters and the link can be shared.
 */
export function FilterBar(props: FilterBarProps) {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();
  // What the controls show while the server renders the new view: the user's choice, not the old props.
  const [shown, setShown] = useOptimistic<Shown>({
    range: props.range,
    sources: props.sources,
    campaigns: props.campaigns,
    kinds: props.kinds,
    timezone: props.timezone,
  });
  const [dates, setDates] = useState({
    from: props.fromDay,
    to: props.toDay,
    basis: `${props.fromDay}/${props.toDay}`,
  });
  // A new range from the server (preset, back button) resets the date inputs.
  if (dates.basis !== `${props.fromDay}/${props.toDay}`) {
    setDates({ from: props.fromDay, to: props.toDay, basis: `${props.fromDay}/${props.toDay}` });
  }
  const fromDay = dates.from;
  const toDay = dates.to;
  const setFromDay = (from: string) => setDates((current) => ({ ...current, from }));
  const setToDay = (to: string) => setDates((current) => ({ ...current, to }));
  const [dateError, setDateError] = useState<string | null>(null);
  const ids = { from: useId(), to: useId(), tz: useId(), status: useId() };

  const navigate = (optimistic: Partial<Shown>, mutate: (params: URLSearchParams) => void) => {
    const params = new URLSearchParams(props.query);
    params.delete("after");
    params.delete("page");
    mutate(params);
    const query = params.toString();
    startTransition(() => {
      setShown({ ...shown, ...optimistic });
      router.push(query ? `${pathname}?${query}` : pathname, { scroll: false });
    });
  };

  const choosePreset = (preset: RangePreset) =>
    navigate({ range: preset }, (params) => {
      params.delete("from");
      params.delete("to");
      params.set("range", preset);
    });

  const applyDates = (event: FormEvent) => {
    event.preventDefault();
    if (!fromDay || !toDay) return setDateError("Choose both a start and an end date.");
    if (fromDay > toDay) return setDateError("The start date must be on or before the end date.");
    setDateError(null);
    navigate({ range: "custom" }, (params) => {
      params.delete("range");
      params.set("from", fromDay);
      params.set("to", toDay);
    });
  };

  const toggle = (key: "sources" | "campaigns", value: string, checked: boolean) => {
    const current = shown[key];
    const next = checked ? [...current, value] : current.filter((item) => item !== value);
    // Both lists are written from the shown state, so quick successive clicks all count.
    navigate({ [key]: next }, (params) => {
      for (const [name, list] of [
        ["sources", key === "sources" ? next : shown.sources],
        ["campaigns", key === "campaigns" ? next : shown.campaigns],
      ] as const) {
        if (list.length) params.set(name, list.join(","));
        else params.delete(name);
      }
    });
  };

  const toggleKind = (kind: AnalysisKindId, checked: boolean) => {
    const chosen = checked ? [...shown.kinds, kind] : shown.kinds.filter((item) => item !== kind);
    // In the documented order; all three ticked means no filter.
    const next = ANALYSIS_KINDS.map((entry) => entry.id).filter((id) => chosen.includes(id));
    const effective = next.length === ANALYSIS_KINDS.length ? [] : next;
    navigate({ kinds: effective }, (params) => {
      if (effective.length) params.set("kinds", effective.join(","));
      else params.delete("kinds");
    });
  };

  const timezones = COMMON_TIMEZONES.includes(shown.timezone as (typeof COMMON_TIMEZONES)[number])
    ? COMMON_TIMEZONES
    : [shown.timezone, ...COMMON_TIMEZONES];

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
                aria-pressed={shown.range === preset.id}
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
            value={shown.timezone}
            data-testid="filter-timezone"
            onChange={(event) => {
              const timezone = event.target.value;
              navigate({ timezone }, (params) => {
                if (timezone === "UTC") params.delete("tz");
                else params.set("tz", timezone);
              });
            }}
          >
            {timezones.map((zone) => (
              <option key={zone} value={zone}>
                {zone}
              </option>
            ))}
          </select>
        </div>

        <div className="filter-bar__lists">
          <fieldset className="field">
            <legend className="field__label">
              Kinds {shown.kinds.length === 0 && <span style={{ fontWeight: 400 }}>(all)</span>}
            </legend>
            <div className="chips">
              {ANALYSIS_KINDS.map((kind) => (
                <label className="chip" key={kind.id}>
                  <input
                    type="checkbox"
                    name="kinds"
                    value={kind.id}
                    checked={shown.kinds.includes(kind.id)}
                    onChange={(event) => toggleKind(kind.id, event.target.checked)}
                    data-testid={`filter-kind-${kind.id}`}
                  />
                  {kind.label}
                </label>
              ))}
            </div>
          </fieldset>
          <ChipGroup
            legend="Sources"
            name="sources"
            options={props.sourceOptions}
            selected={shown.sources}
            onToggle={(value, checked) => toggle("sources", value, checked)}
          />
          <ChipGroup
            legend="Campaigns"
            name="campaigns"
            options={props.campaignOptions}
            selected={shown.campaigns}
            onToggle={(value, checked) => toggle("campaigns", value, checked)}
          />
          {(props.sources.length > 0 ||
            props.campaigns.length > 0 ||
            props.kinds.length > 0 ||
            props.range !== "30d" ||
            props.timezone !== "UTC") && (
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
      </div>
      <p id={ids.status} role="status" aria-live="polite" className="chart-hint" data-testid="filter-status">
        {dateError ? (
          <span style={{ color: "var(--negative)" }}>{dateError}</span>
        ) : pending ? (
          "Updating…"
        ) : (
          ""
        )}
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
