import { toDatabaseError } from "@moodlens/db";
import type { ApiContext } from "../context";
import type { DbAnalysisFilter } from "../services/analysis-view";

/** Analysis counts behind the statistics types' `analyses` fields: computed only when selected, batched per request. */
export async function analysisCount(
  context: ApiContext,
  filter: DbAnalysisFilter | null,
): Promise<number | null> {
  if (!filter) return null;
  try {
    return await context.loaders.analysisCount.load(filter);
  } catch (error) {
    throw toDatabaseError(error);
  }
}
