import {
  getAnalysis as getAnalysisFromDb,
  listAnalyses as listAnalysesFromDb,
  toDatabaseError,
} from "@moodlens/db";
import type { ApiContext } from "../context";
import {
  analysisFromRecord,
  type AnalysisConnectionView,
  type AnalysisView,
  type DbAnalysisFilter,
} from "./analysis-view";

/** Stored analyses as the API shows them (reads; analysis.ts writes). */
export async function getAnalysis(context: ApiContext, id: string): Promise<AnalysisView | null> {
  try {
    const record = await getAnalysisFromDb(context.runtime.db.prisma, id);
    return record ? analysisFromRecord(record) : null;
  } catch (error) {
    throw toDatabaseError(error);
  }
}

/** A page of analyses, newest first; the filter rides along for a lazily counted totalCount. */
export async function listAnalyses(
  context: ApiContext,
  filter: DbAnalysisFilter,
  page: { first?: number | undefined; after?: string | null },
): Promise<AnalysisConnectionView> {
  try {
    const found = await listAnalysesFromDb(context.runtime.db.prisma, filter, page);
    return {
      items: found.items.map((record) => analysisFromRecord(record)),
      endCursor: found.endCursor,
      hasNextPage: found.hasNextPage,
      filter,
    };
  } catch (error) {
    throw toDatabaseError(error);
  }
}
