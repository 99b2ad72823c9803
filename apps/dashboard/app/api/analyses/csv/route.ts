/**
 * GET /api/analyses/csv?<overview filters> — streams the filtered analyses as CSV for a signed-in user whose role
 * reads statistics, walking the API's cursor pages on the server as that user. The first page is fetched before answering so an API
 * failure becomes a proper error response instead of a broken download.
 */
import type { NextRequest } from "next/server";
import { MAX_PAGE_SIZE, fetchAnalysesPage } from "@/lib/api/analyses";
import { CSV_HEADER, analysisToCsv, csvLine } from "@/lib/csv";
import { parseFilters, type SearchParamsRecord } from "@/lib/filters";
import { refusalFor } from "@/lib/auth/route-guard";
import { ApiError, describeApiError } from "@/lib/graphql";
import { calendarDayInZone } from "@/lib/time";

export const dynamic = "force-dynamic";

/** Upper bound on one export (analyses), so a mistaken "all time" export cannot run for ever. */
const MAX_EXPORT_ANALYSES = 200_000;

function statusFor(error: ApiError): number {
  if (error.code === "BAD_USER_INPUT") return 400;
  if (error.code === "UNAUTHENTICATED") return 401;
  if (error.code === "FORBIDDEN") return 403;
  if (error.code === "RATE_LIMITED") return 429;
  if (error.code === "API_TIMEOUT") return 504;
  return 502;
}

export async function GET(request: NextRequest) {
  const refusal = await refusalFor("read:stats", "export analyses");
  if (refusal) {
    return new Response(`CSV export refused: ${refusal.title}. ${refusal.message}\n`, {
      status: refusal.status,
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
    });
  }
  const record: SearchParamsRecord = {};
  for (const key of new Set(request.nextUrl.searchParams.keys())) {
    const values = request.nextUrl.searchParams.getAll(key);
    record[key] = values.length > 1 ? values : values[0];
  }
  const { filters } = parseFilters(record);

  let firstPage;
  try {
    firstPage = await fetchAnalysesPage(filters, MAX_PAGE_SIZE, null);
  } catch (error) {
    const apiError = error instanceof ApiError ? error : new ApiError("INTERNAL", String(error));
    const info = describeApiError(apiError);
    return new Response(
      `CSV export failed: ${info.title}. ${info.message}${info.hint ? ` ${info.hint}` : ""}\n`,
      {
        status: statusFor(apiError),
        headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
      },
    );
  }

  const encoder = new TextEncoder();
  let page = firstPage;
  let exported = 0;
  let started = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(csvLine([...CSV_HEADER])));
      } else if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor || exported >= MAX_EXPORT_ANALYSES) {
        controller.close();
        return;
      } else {
        try {
          page = await fetchAnalysesPage(filters, MAX_PAGE_SIZE, page.pageInfo.endCursor, {
            signal: request.signal,
          });
        } catch (error) {
          // Headers are already sent: say so in the file rather than ending silently with a partial export.
          const message = error instanceof Error ? error.message : String(error);
          controller.enqueue(
            encoder.encode(`# export incomplete after ${exported} analyses: ${message}\r\n`),
          );
          controller.close();
          return;
        }
      }
      controller.enqueue(encoder.encode(page.edges.map((edge) => analysisToCsv(edge.node)).join("")));
      exported += page.edges.length;
    },
  });

  const name = `moodlens-analyses-${calendarDayInZone(filters.from, filters.timezone)}-to-${calendarDayInZone(
    new Date(filters.to.getTime() - 1),
    filters.timezone,
  )}.csv`;
  return new Response(stream, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "no-store",
      "x-moodlens-total-analyses": String(firstPage.totalCount),
    },
  });
}
