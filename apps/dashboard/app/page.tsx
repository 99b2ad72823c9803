import type { Metadata } from "next";
import { EmotionLegend } from "@/components/charts/EmotionLegend";
import { EmotionShareChart } from "@/components/charts/EmotionShareChart";
import { ValenceTrendChart } from "@/components/charts/ValenceTrendChart";
import { PageFilterBar } from "@/components/filters/PageFilterBar";
import { BreakdownCard } from "@/components/overview/BreakdownCard";
import { DemoNotice } from "@/components/overview/DemoNotice";
import { BucketTable } from "@/components/overview/DataTables";
import { KpiCard } from "@/components/overview/KpiCard";
import { OverviewEmpty } from "@/components/overview/OverviewEmpty";
import { TopMovers } from "@/components/overview/TopMovers";
import { Card } from "@/components/ui/Card";
import { ErrorState } from "@/components/ui/ErrorState";
import { Notice } from "@/components/ui/Notice";
import { PageHeader } from "@/components/ui/PageHeader";
import { fetchFilterOptions, fetchOverview } from "@/lib/api/overview";
import {
  describeRange,
  filtersToParams,
  parseFilters,
  withParams,
  type Filters,
  type SearchParamsRecord,
} from "@/lib/filters";
import {
  formatBucketLabel,
  formatDecimal,
  formatInteger,
  formatPercent,
  formatPointsDelta,
  formatSigned,
} from "@/lib/format";
import { describeApiError, tryResult } from "@/lib/graphql";
import { breakdownRows, computeKpis, shareRows, topMovers, type Kpi } from "@/lib/stats";

export const metadata: Metadata = { title: "Sentiment overview" };

const BUCKET_NAMES = { HOUR: "hour", DAY: "day", WEEK: "week", MONTH: "month" } as const;

function drillDownHref(filters: Filters, patch: Partial<Filters>): string {
  return withParams("/analyses", filtersToParams({ ...filters, ...patch }));
}

function direction(change: number | null): "up" | "down" | "flat" {
  if (change == null || Math.abs(change) < 1e-9) return "flat";
  return change > 0 ? "up" : "down";
}

function shareDelta(kpi: Kpi, higherIsGood: boolean) {
  if (kpi.change == null) return null;
  const dir = direction(kpi.change);
  return {
    text: formatPointsDelta(kpi.change),
    direction: dir,
    good: dir === "flat" ? undefined : (dir === "up") === higherIsGood,
  };
}

export default async function OverviewPage({ searchParams }: { searchParams: Promise<SearchParamsRecord> }) {
  const params = await searchParams;
  const { filters, problems } = parseFilters(params);
  const [overview, options] = await Promise.all([
    tryResult(() => fetchOverview(filters)),
    tryResult(fetchFilterOptions),
  ]);

  const rangeLabel = describeRange(filters);
  const filterBar = <PageFilterBar filters={filters} options={options} params={params} />;

  const header = (
    <PageHeader
      title="Sentiment overview"
      subtitle={
        <>
          Facial expressions of analysed customers,{" "}
          {rangeLabel.toLowerCase().startsWith("last") ? rangeLabel.toLowerCase() : rangeLabel} (
          {filters.timezone}).
        </>
      }
    />
  );

  if (!overview.ok) {
    return (
      <div className="page">
        {header}
        {filterBar}
        <ErrorState error={describeApiError(overview.error)} />
      </div>
    );
  }

  const { current, previous, bySource, byCampaign, demoOnly } = overview.data;
  const demoNotice = <DemoNotice filters={filters} demoFaces={demoOnly.totalFaces} path="/" />;
  const hasNarrowingFilters = filters.sources.length > 0 || filters.campaigns.length > 0;

  if (current.totalFaces === 0) {
    const databaseEmpty = options.ok && options.data.latest.totalCount === 0;
    return (
      <div className="page">
        {header}
        {filterBar}
        {problems.map((problem) => (
          <Notice key={problem}>{problem}</Notice>
        ))}
        {demoNotice}
        {current.suppressed > 0 && (
          <Notice tone="info" testId="suppressed-notice">
            {current.suppressed} time buckets hold fewer than {current.minGroupSize} faces and are hidden for
            privacy.
          </Notice>
        )}
        <OverviewEmpty
          databaseEmpty={databaseEmpty}
          latestCapturedAt={options.ok ? (options.data.latest.nodes[0]?.capturedAt ?? null) : null}
          timezone={filters.timezone}
          rangeLabel={
            rangeLabel.toLowerCase().startsWith("last") ? `the ${rangeLabel.toLowerCase()}` : rangeLabel
          }
          hasNarrowingFilters={hasNarrowingFilters}
        />
      </div>
    );
  }

  const kpis = computeKpis(current, previous);
  const movers = topMovers(current, previous, 5);
  const rows = shareRows(current.buckets);
  const bucketHrefs = current.buckets.map((bucket) =>
    drillDownHref(filters, { range: "custom", from: new Date(bucket.start), to: new Date(bucket.end) }),
  );
  const bucketLabels = current.buckets.map((bucket) =>
    formatBucketLabel(bucket.start, current.bucket, filters.timezone),
  );
  const sourceRows = breakdownRows(bySource.groups);
  const campaignRows = breakdownRows(byCampaign.groups);
  const sourceHrefs = sourceRows.map((row) =>
    row.key == null ? null : drillDownHref(filters, { sources: [row.key] }),
  );
  const campaignHrefs = campaignRows.map((row) =>
    row.key == null ? null : drillDownHref(filters, { campaigns: [row.key] }),
  );

  const valences = rows.map((row) => row.meanValence).filter((value): value is number => value != null);
  const shareSummary = `Stacked area chart of the share of each emotion per ${BUCKET_NAMES[current.bucket]}, ${rows.length} points. Overall: ${[
    ...movers,
  ]
    .sort((a, b) => b.share - a.share)
    .map((mover) => `${mover.emotion} ${formatPercent(mover.share)}`)
    .join(", ")}.`;
  const valenceSummary = valences.length
    ? `Mean valence per ${BUCKET_NAMES[current.bucket]} ranged from ${formatDecimal(Math.min(...valences), 2)} to ${formatDecimal(Math.max(...valences), 2)}; overall ${formatDecimal(current.meanValence, 2)}.`
    : "No valence values in this period.";

  const facesDelta =
    kpis.faces.relativeChange != null
      ? {
          text: `${formatSigned(kpis.faces.relativeChange * 100, 1)}%`,
          direction: direction(kpis.faces.change),
        }
      : null;
  const valenceDelta =
    kpis.meanValence.change != null
      ? {
          text: formatSigned(kpis.meanValence.change, 3),
          direction: direction(kpis.meanValence.change),
          good: direction(kpis.meanValence.change) === "flat" ? undefined : kpis.meanValence.change > 0,
        }
      : null;

  return (
    <div className="page" data-testid="overview" data-bucket={current.bucket}>
      {header}
      {filterBar}
      {problems.map((problem) => (
        <Notice key={problem}>{problem}</Notice>
      ))}
      {demoNotice}
      {!options.ok && <Notice>Source and campaign lists are unavailable: {options.error.message}</Notice>}

      <div className="grid grid--kpis" data-testid="kpis">
        <KpiCard
          id="faces"
          label="Faces analysed"
          value={kpis.faces.value}
          display={formatInteger(current.totalFaces)}
          delta={facesDelta}
        />
        <KpiCard
          id="positive-share"
          label="Positive expressions"
          value={kpis.positiveShare.value}
          display={formatPercent(kpis.positiveShare.value ?? NaN)}
          delta={shareDelta(kpis.positiveShare, true)}
        />
        <KpiCard
          id="negative-share"
          label="Negative expressions"
          value={kpis.negativeShare.value}
          display={formatPercent(kpis.negativeShare.value ?? NaN)}
          delta={shareDelta(kpis.negativeShare, false)}
        />
        <KpiCard
          id="mean-valence"
          label="Mean valence"
          value={kpis.meanValence.value}
          display={formatDecimal(kpis.meanValence.value, 3)}
          delta={valenceDelta}
        />
      </div>

      {current.suppressed > 0 && (
        <Notice tone="info" testId="suppressed-notice">
          {current.suppressed} time {current.suppressed === 1 ? "bucket holds" : "buckets hold"} fewer than{" "}
          {current.minGroupSize} faces and {current.suppressed === 1 ? "is" : "are"} hidden for privacy.
        </Notice>
      )}

      <div className="grid grid--main-side">
        <Card
          title="Emotion share over time"
          headingId="share-heading"
          description={`Share of faces per dominant emotion, one point per ${BUCKET_NAMES[current.bucket]}. Click a point to see its analyses.`}
          testId="card-emotion-share"
        >
          <EmotionLegend />
          <EmotionShareChart
            rows={rows}
            bucket={current.bucket}
            timezone={filters.timezone}
            drillDownHrefs={bucketHrefs}
            summary={shareSummary}
          />
          <BucketTable rows={rows} labels={bucketLabels} hrefs={bucketHrefs} testId="table-emotion-share" />
        </Card>
        <Card
          title="Top movers"
          headingId="movers-heading"
          description="Emotions whose share changed most against the previous period of equal length."
          testId="card-top-movers"
        >
          <TopMovers movers={movers} />
        </Card>
      </div>

      <Card
        title="Valence trend"
        headingId="valence-heading"
        description="Mean valence of the faces (−1 negative … +1 positive); the scale widens with the data."
        testId="card-valence"
      >
        <ValenceTrendChart
          rows={rows}
          bucket={current.bucket}
          timezone={filters.timezone}
          drillDownHrefs={bucketHrefs}
          summary={valenceSummary}
        />
      </Card>

      <div className="grid grid--2">
        <BreakdownCard
          by="source"
          rows={sourceRows}
          hrefs={sourceHrefs}
          suppressed={bySource.suppressed}
          minGroupSize={bySource.minGroupSize}
        />
        <BreakdownCard
          by="campaign"
          rows={campaignRows}
          hrefs={campaignHrefs}
          suppressed={byCampaign.suppressed}
          minGroupSize={byCampaign.minGroupSize}
        />
      </div>
    </div>
  );
}
