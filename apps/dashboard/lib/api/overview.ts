import { gql } from "../graphql";
import { chooseBucket, previousPeriod, type Filters } from "../filters";
import { toAnalysisFilter, toDemoOnlyFilter } from "../stats";
import { FILTER_OPTIONS_QUERY, OVERVIEW_QUERY } from "./documents";
import type { EmotionBreakdown, EmotionStats, NamedCount, PeriodTotals } from "./types";

export interface OverviewData {
  current: EmotionStats;
  previous: PeriodTotals;
  bySource: EmotionBreakdown;
  byCampaign: EmotionBreakdown;
  /** Demo faces in the period (whether the view shows them or not). */
  demoOnly: { totalFaces: number };
}

export function fetchOverview(filters: Filters): Promise<OverviewData> {
  const previous = previousPeriod(filters.from, filters.to);
  return gql<OverviewData>(OVERVIEW_QUERY, {
    filter: toAnalysisFilter(filters),
    previous: toAnalysisFilter({ ...filters, ...previous }),
    demoOnly: toDemoOnlyFilter(filters),
    bucket: chooseBucket(filters.from, filters.to),
  });
}

export interface FilterOptions {
  sources: NamedCount[];
  campaigns: NamedCount[];
  latest: { totalCount: number; nodes: { capturedAt: string }[] };
}

export function fetchFilterOptions(): Promise<FilterOptions> {
  return gql<FilterOptions>(FILTER_OPTIONS_QUERY);
}
