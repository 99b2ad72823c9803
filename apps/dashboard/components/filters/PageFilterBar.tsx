import type { FilterOptions } from "@/lib/api/overview";
import type { Filters, SearchParamsRecord } from "@/lib/filters";
import type { Result } from "@/lib/graphql";
import { toQueryString } from "@/lib/query-string";
import { calendarDayInZone } from "@/lib/time";
import { FilterBar } from "./FilterBar";

/**
 * The filter bar of a page whose filters come from its URL (`params`): the current range as calendar days in the
 * chosen zone, and the known sources and campaigns (none when they could not be fetched).
 */
export function PageFilterBar({
  filters,
  options,
  params,
}: {
  filters: Filters;
  options: Result<FilterOptions>;
  params: SearchParamsRecord;
}) {
  return (
    <FilterBar
      range={filters.range}
      fromDay={calendarDayInZone(filters.from, filters.timezone)}
      toDay={calendarDayInZone(new Date(filters.to.getTime() - 1), filters.timezone)}
      sources={filters.sources}
      campaigns={filters.campaigns}
      kinds={filters.kinds}
      timezone={filters.timezone}
      sourceOptions={options.ok ? options.data.sources.map((source) => source.name) : []}
      campaignOptions={options.ok ? options.data.campaigns.map((campaign) => campaign.name) : []}
      query={toQueryString(params)}
    />
  );
}
