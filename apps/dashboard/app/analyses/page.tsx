import type { Metadata } from "next";
import Link from "next/link";
import { AnalysesTable } from "@/components/analyses/AnalysesTable";
import { PageFilterBar } from "@/components/filters/PageFilterBar";
import { EmptyState } from "@/components/ui/EmptyState";
import { ErrorState } from "@/components/ui/ErrorState";
import { Notice } from "@/components/ui/Notice";
import { PageHeader } from "@/components/ui/PageHeader";
import { PAGE_SIZE, fetchAnalysesPage } from "@/lib/api/analyses";
import { fetchFilterOptions } from "@/lib/api/overview";
import {
  describeRange,
  filtersToParams,
  parseFilters,
  withParams,
  type SearchParamsRecord,
} from "@/lib/filters";
import { formatInteger } from "@/lib/format";
import { describeApiError, tryResult } from "@/lib/graphql";

export const metadata: Metadata = { title: "Analyses" };

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export default async function AnalysesPage({ searchParams }: { searchParams: Promise<SearchParamsRecord> }) {
  const params = await searchParams;
  const { filters, problems } = parseFilters(params);
  const after = single(params.after) || null;
  const page = Math.max(1, Number.parseInt(single(params.page) ?? "1", 10) || 1);

  const [result, options] = await Promise.all([
    tryResult(() => fetchAnalysesPage(filters, PAGE_SIZE, after)),
    tryResult(fetchFilterOptions),
  ]);

  const filterParams = filtersToParams(filters);
  const csvHref = withParams("/api/analyses/csv", filterParams);
  const firstPageHref = withParams("/analyses", filterParams);
  const overviewHref = withParams("/", filterParams);
  const rangeLabel = describeRange(filters);
  const scope = [
    rangeLabel,
    filters.sources.length ? `sources: ${filters.sources.join(", ")}` : null,
    filters.campaigns.length ? `campaigns: ${filters.campaigns.join(", ")}` : null,
    filters.kinds.length ? `kinds: ${filters.kinds.join(", ")}` : null,
  ]
    .filter(Boolean)
    .join(" · ");

  return (
    <div className="page" data-testid="analyses-page">
      <PageHeader
        title="Analyses"
        subtitle={
          <>
            The stored analyses behind the charts — {scope}.{" "}
            <Link href={overviewHref}>Back to the overview</Link>
          </>
        }
        actions={
          <a className="button" href={csvHref} download data-testid="csv-export">
            Download CSV
          </a>
        }
      />
      <PageFilterBar filters={filters} options={options} params={params} />
      {problems.map((problem) => (
        <Notice key={problem}>{problem}</Notice>
      ))}
      {!result.ok ? (
        <ErrorState error={describeApiError(result.error)} />
      ) : result.data.edges.length === 0 ? (
        after ? (
          <EmptyState title="No more analyses">
            <p>
              This page is past the end of the list. <Link href={firstPageHref}>Go to the first page</Link>.
            </p>
          </EmptyState>
        ) : options.ok && options.data.latest.totalCount === 0 ? (
          <EmptyState title="No analyses stored yet">
            <p>
              The database holds no analyses. Load demo data with <code>npm run seed -- --demo</code> from the
              repository root, or analyse a photo in <Link href="/try">Try it</Link> with “store this
              analysis” ticked.
            </p>
          </EmptyState>
        ) : (
          <EmptyState title="No analyses match these filters">
            <p>
              Nothing was stored in{" "}
              {rangeLabel.toLowerCase().startsWith("last") ? `the ${rangeLabel.toLowerCase()}` : rangeLabel}
              {filters.sources.length || filters.campaigns.length
                ? " for the selected sources and campaigns"
                : ""}
              . Widen the period, or load demo data with <code>npm run seed -- --demo</code>.
            </p>
          </EmptyState>
        )
      ) : (
        <section className="card" aria-labelledby="analyses-heading">
          <div className="card__header">
            <h2 id="analyses-heading">
              <span data-testid="analyses-total" data-value={result.data.totalCount}>
                {formatInteger(result.data.totalCount)}
              </span>{" "}
              {result.data.totalCount === 1 ? "analysis" : "analyses"}
            </h2>
          </div>
          <AnalysesTable rows={result.data.edges.map((edge) => edge.node)} timezone={filters.timezone} />
          <nav className="pagination" aria-label="Pages of analyses">
            <span className="pagination__info" data-testid="pagination-info">
              Showing {formatInteger((page - 1) * PAGE_SIZE + 1)}–
              {formatInteger((page - 1) * PAGE_SIZE + result.data.edges.length)} of{" "}
              {formatInteger(result.data.totalCount)}
            </span>
            {after && (
              <Link className="button button--secondary" href={firstPageHref} data-testid="pagination-first">
                ← First page
              </Link>
            )}
            {result.data.pageInfo.hasNextPage && result.data.pageInfo.endCursor && (
              <Link
                className="button"
                href={withParams(
                  "/analyses",
                  new URLSearchParams([
                    ...filterParams,
                    ["after", result.data.pageInfo.endCursor],
                    ["page", String(page + 1)],
                  ]),
                )}
                data-testid="pagination-next"
              >
                Next page →
              </Link>
            )}
          </nav>
        </section>
      )}
    </div>
  );
}
