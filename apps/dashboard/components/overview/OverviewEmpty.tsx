import Link from "next/link";
import { EmptyState } from "@/components/ui/EmptyState";
import { formatDateTime } from "@/lib/format";

/** Two different empty situations, two different instructions. */
export function OverviewEmpty({
  databaseEmpty,
  latestCapturedAt,
  timezone,
  rangeLabel,
  hasNarrowingFilters,
}: {
  databaseEmpty: boolean;
  latestCapturedAt: string | null;
  timezone: string;
  rangeLabel: string;
  hasNarrowingFilters: boolean;
}) {
  if (databaseEmpty) {
    return (
      <EmptyState title="No analyses stored yet" testId="empty-state">
        <p>
          The database holds no analysed faces. Load demo data with <code>npm run seed -- --demo</code> from
          the repository root, or analyse a photo in <Link href="/try">Try it</Link> with “store this
          analysis” ticked.
        </p>
      </EmptyState>
    );
  }
  return (
    <EmptyState title="No faces in this period" testId="empty-state">
      <p>
        Nothing was analysed in {rangeLabel}
        {hasNarrowingFilters ? " for the selected sources and campaigns" : ""}.
        {latestCapturedAt && (
          <> The most recent analysis is from {formatDateTime(latestCapturedAt, timezone)}.</>
        )}
      </p>
      <p>
        Try a wider period (<Link href="/?range=1y">last 12 months</Link>,{" "}
        <Link href="/?range=3y">last 3 years</Link>)
        {hasNarrowingFilters ? " or remove the source and campaign filters" : ""}.
      </p>
    </EmptyState>
  );
}
