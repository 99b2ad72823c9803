import type { Metadata } from "next";
import Link from "next/link";
import { RunFilters } from "@/components/experiments/RunFilters";
import { RunsTable, type RunRow, type SortHeader } from "@/components/experiments/RunsTable";
import { EmptyState } from "@/components/ui/EmptyState";
import { ErrorState } from "@/components/ui/ErrorState";
import { PageHeader } from "@/components/ui/PageHeader";
import {
  RUN_ORDER_FIELDS,
  RUN_STATUS_VALUES,
  fetchRuns,
  runMacroF1,
  runTags,
  runValAccuracy,
} from "@/lib/api/experiments";
import type { RunOrderField, RunStatusValue } from "@/lib/api/types";
import type { SearchParamsRecord } from "@/lib/filters";
import { formatShortDateTime } from "@/lib/format";
import { describeApiError, tryResult } from "@/lib/graphql";
import { toQueryString } from "@/lib/query-string";
import { runLabel } from "@/lib/run-colors";

export const metadata: Metadata = { title: "Experiments" };

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? "";

const COLUMNS: {
  key: string;
  label: string;
  numeric?: boolean;
  sortField?: RunOrderField;
  narrowHidden?: boolean;
}[] = [
  { key: "name", label: "Run", sortField: "NAME" },
  { key: "experiment", label: "Experiment" },
  { key: "status", label: "Status" },
  { key: "architecture", label: "Architecture", narrowHidden: true },
  { key: "tags", label: "Tags" },
  { key: "epochs", label: "Epochs", numeric: true },
  { key: "valAccuracy", label: "Best val. accuracy", numeric: true, sortField: "VAL_ACCURACY" },
  { key: "macroF1", label: "Macro-F1", numeric: true, sortField: "MACRO_F1" },
  { key: "createdAt", label: "Created", sortField: "CREATED_AT" },
  { key: "finishedAt", label: "Finished", sortField: "FINISHED_AT", narrowHidden: true },
];

export default async function ExperimentsPage({
  searchParams,
}: {
  searchParams: Promise<SearchParamsRecord>;
}) {
  const params = await searchParams;
  const experiment = single(params.experiment);
  const statusParam = single(params.status).toUpperCase();
  const status = RUN_STATUS_VALUES.includes(statusParam as RunStatusValue)
    ? (statusParam as RunStatusValue)
    : "";
  const tag = single(params.tag);
  const sortParam = single(params.sort).toUpperCase();
  const sort: RunOrderField = RUN_ORDER_FIELDS.includes(sortParam as RunOrderField)
    ? (sortParam as RunOrderField)
    : "CREATED_AT";
  const direction = single(params.dir).toUpperCase() === "ASC" ? "ASC" : "DESC";

  const result = await tryResult(() =>
    fetchRuns({
      ...(experiment ? { experimentId: experiment } : {}),
      ...(status ? { status: [status] } : {}),
      orderBy: { field: sort, direction },
    }),
  );

  const query = toQueryString(params);
  const header = (
    <PageHeader
      title="Experiments"
      subtitle={
        <>
          Training runs of the expression model. Compare runs, or see the served versions on{" "}
          <Link href="/models">Models</Link>.
        </>
      }
    />
  );
  if (!result.ok) {
    return (
      <div className="page">
        {header}
        <ErrorState error={describeApiError(result.error)} />
      </div>
    );
  }

  const allTags = [...new Set(result.data.runs.flatMap(runTags))].sort();
  const runs = tag ? result.data.runs.filter((run) => runTags(run).includes(tag)) : result.data.runs;
  const rows: RunRow[] = runs.map((run) => ({
    id: run.id,
    name: runLabel(run),
    experiment: run.experiment?.name ?? "–",
    status: run.status,
    architecture: run.architecture ?? "–",
    tags: runTags(run),
    epochs: run.epochCount,
    valAccuracy: runValAccuracy(run),
    macroF1: runMacroF1(run),
    createdAt: formatShortDateTime(run.createdAt),
    finishedAt: run.finishedAt ? formatShortDateTime(run.finishedAt) : "–",
  }));
  const headers: SortHeader[] = COLUMNS.map((column) => {
    const base = {
      key: column.key,
      label: column.label,
      ...(column.numeric ? { numeric: true } : {}),
      ...(column.narrowHidden ? { narrowHidden: true } : {}),
    };
    if (!column.sortField) return base;
    const active = column.sortField === sort;
    const nextDirection = active
      ? direction === "DESC"
        ? "ASC"
        : "DESC"
      : column.sortField === "NAME"
        ? "ASC"
        : "DESC";
    const next = new URLSearchParams(query);
    next.set("sort", column.sortField.toLowerCase());
    next.set("dir", nextDirection.toLowerCase());
    return {
      ...base,
      href: `/experiments?${next.toString()}`,
      ...(active ? { sort: direction === "ASC" ? ("ascending" as const) : ("descending" as const) } : {}),
    };
  });
  const filtered = Boolean(experiment || status || tag);

  return (
    <div className="page" data-testid="experiments-page">
      {header}
      <RunFilters
        experiments={result.data.experiments}
        statuses={RUN_STATUS_VALUES}
        tags={allTags}
        experiment={experiment}
        status={status}
        tag={tag}
        query={query}
      />
      {rows.length === 0 ? (
        filtered ? (
          <EmptyState title="No runs match these filters">
            <p>
              <Link href="/experiments">Clear the filters</Link> to see every run.
            </p>
          </EmptyState>
        ) : (
          <EmptyState title="No training runs recorded yet">
            <p>
              Train a model with <code>npm run trainer -- train</code> (see the trainer README); each run, its
              epochs and its evaluation appear here.
            </p>
          </EmptyState>
        )
      ) : (
        <section className="card" aria-labelledby="runs-heading">
          <h2 id="runs-heading">
            {rows.length} {rows.length === 1 ? "run" : "runs"}
          </h2>
          <RunsTable rows={rows} headers={headers} />
        </section>
      )}
    </div>
  );
}
