import { gql, type GqlOptions } from "../graphql";
import type { Filters } from "../filters";
import { toAnalysisFilter } from "../stats";
import { ANALYSES_QUERY } from "./documents";
import type { AnalysisConnection } from "./types";

export const PAGE_SIZE = 25;
/** The API's maximum page size; the CSV export walks pages of this size. */
export const MAX_PAGE_SIZE = 100;

export async function fetchAnalysesPage(
  filters: Filters,
  first: number,
  after: string | null,
  options?: GqlOptions,
): Promise<AnalysisConnection> {
  const data = await gql<{ analyses: AnalysisConnection }>(
    ANALYSES_QUERY,
    { filter: toAnalysisFilter(filters), first, after },
    options,
  );
  return data.analyses;
}
