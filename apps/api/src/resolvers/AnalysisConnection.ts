import type { AnalysisConnectionResolvers } from "../generated/graphql";
import { analysisCount } from "./analysis-count";

export const AnalysisConnection: AnalysisConnectionResolvers = {
  edges: (connection) =>
    connection.items.map((node, i) => ({
      // Only the last item's cursor is known from the page; earlier ones are encoded the same way by listAnalyses.
      cursor:
        i === connection.items.length - 1 && connection.endCursor
          ? connection.endCursor
          : cursorOf(node.capturedAt, node.id),
      node,
    })),
  nodes: (connection) => connection.items,
  pageInfo: (connection) => ({ hasNextPage: connection.hasNextPage, endCursor: connection.endCursor }),
  totalCount: async (connection, _args, context) => (await analysisCount(context, connection.filter)) ?? 0,
};

/** Same keyset encoding as @moodlens/db's listAnalyses (capturedAt ISO | id, base64url). */
function cursorOf(capturedAt: Date, id: string): string {
  return Buffer.from(`${capturedAt.toISOString()}|${id}`, "utf8").toString("base64url");
}
