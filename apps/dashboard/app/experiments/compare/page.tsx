import type { Metadata } from "next";
import Link from "next/link";
import { EMOTIONS, fromEmotionEnum } from "@moodlens/shared";
import { ConfusionMatrix } from "@/components/experiments/ConfusionMatrix";
import { ParamDiff, type ParamRow } from "@/components/experiments/ParamDiff";
import { TrainingCurves, type CurveRun } from "@/components/experiments/TrainingCurves";
import { Card } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { ErrorState } from "@/components/ui/ErrorState";
import { PageHeader } from "@/components/ui/PageHeader";
import { fetchComparison, runMacroF1, runValAccuracy } from "@/lib/api/experiments";
import type { ComparedRun, Evaluation } from "@/lib/api/types";
import { parseList, type SearchParamsRecord } from "@/lib/filters";
import { describeApiError, tryResult } from "@/lib/graphql";
import { runColor, runLabel } from "@/lib/run-colors";

export const metadata: Metadata = { title: "Compare runs" };

const MAX_RUNS = 10;

function formatParam(value: unknown): string {
  if (value === undefined || value === null) return "–";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

const latestEvaluation = (run: ComparedRun): Evaluation | undefined =>
  [...run.evaluations].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];

const formatMetric = (name: string, value: number | null) => {
  if (value == null) return "–";
  if (Number.isInteger(value)) return String(value);
  return /acc|f1|precision|recall/i.test(name) && value <= 1
    ? `${(value * 100).toFixed(1)}%`
    : value.toFixed(4);
};

export default async function ComparePage({ searchParams }: { searchParams: Promise<SearchParamsRecord> }) {
  const ids = parseList((await searchParams).ids);
  const header = (subtitle?: string) => (
    <PageHeader
      title={ids.length === 1 ? "Run details" : "Compare runs"}
      subtitle={
        <>
          {subtitle ?? "Curves, parameters and metrics side by side."}{" "}
          <Link href="/experiments">Back to all runs</Link>
        </>
      }
    />
  );
  if (ids.length === 0 || ids.length > MAX_RUNS) {
    return (
      <div className="page">
        {header()}
        <EmptyState title={ids.length === 0 ? "No runs selected" : `Too many runs (${ids.length})`}>
          <p>
            Tick two to {MAX_RUNS} runs in the <Link href="/experiments">runs table</Link> and press
            “Compare”.
          </p>
        </EmptyState>
      </div>
    );
  }

  const result = await tryResult(() => fetchComparison(ids));
  if (!result.ok) {
    return (
      <div className="page">
        {header()}
        <ErrorState error={describeApiError(result.error)} retry={result.error.code !== "NOT_FOUND"} />
      </div>
    );
  }
  const { runs, params, metrics } = result.data;
  const legendRuns = runs.map((run, i) => ({ id: run.id, label: runLabel(run), color: runColor(i) }));
  const curves = (metric: "loss" | "accuracy"): CurveRun[] =>
    runs.map((run, i) => ({
      id: run.id,
      label: runLabel(run),
      color: runColor(i),
      epochs: run.epochs.map((epoch) => ({
        epoch: epoch.epoch,
        train: metric === "loss" ? epoch.loss : epoch.accuracy,
        val: metric === "loss" ? epoch.valLoss : epoch.valAccuracy,
      })),
    }));
  const paramRows: ParamRow[] = params.map((param) => ({
    name: param.name,
    values: param.values.map(formatParam),
    differs: param.differs,
  }));
  const evaluations = runs.map(latestEvaluation);

  return (
    <div className="page" data-testid="compare-view" data-runs={runs.length}>
      {header(runs.length === 1 ? "One run: its curves, parameters and evaluation." : undefined)}

      <Card title="Runs" headingId="compare-runs-heading" testId="compare-runs">
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Experiment</th>
                <th scope="col">Status</th>
                <th scope="col">Architecture</th>
                <th scope="col" className="num">
                  Epochs
                </th>
                <th scope="col" className="num">
                  Best val. accuracy
                </th>
                <th scope="col" className="num">
                  Macro-F1
                </th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run, i) => (
                <tr key={run.id} data-testid="compare-run" data-id={run.id}>
                  <th scope="row">
                    <span className="run-color" style={{ background: runColor(i) }} aria-hidden="true" />
                    {runLabel(run)}
                  </th>
                  <td>{run.experiment?.name ?? "–"}</td>
                  <td>
                    <span className={`status status--${run.status.toLowerCase()}`}>
                      {run.status.toLowerCase()}
                    </span>
                  </td>
                  <td>{run.architecture ?? "–"}</td>
                  <td className="num">{run.epochCount}</td>
                  <td className="num">{formatMetric("accuracy", runValAccuracy(run))}</td>
                  <td className="num">{runMacroF1(run)?.toFixed(3) ?? "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>

      <div className="grid grid--2">
        <Card
          title="Loss"
          headingId="loss-heading"
          description="Per epoch. Solid: training · dashed: validation."
          testId="card-loss"
        >
          <TrainingCurves runs={curves("loss")} metric="loss" testId="chart-loss" />
        </Card>
        <Card
          title="Accuracy"
          headingId="accuracy-heading"
          description="Per epoch. Solid: training · dashed: validation."
          testId="card-accuracy"
        >
          <TrainingCurves runs={curves("accuracy")} metric="accuracy" testId="chart-accuracy" />
        </Card>
      </div>

      <Card title="Parameters" headingId="params-heading" testId="card-params">
        <ParamDiff runs={legendRuns} rows={paramRows} />
      </Card>

      {metrics.length > 0 && (
        <Card
          title="Metrics"
          headingId="metrics-heading"
          description="Best value per metric in bold."
          testId="card-metrics"
        >
          <div className="table-wrap">
            <table className="table" data-testid="metrics-table">
              <thead>
                <tr>
                  <th scope="col">Metric</th>
                  {legendRuns.map((run) => (
                    <th scope="col" className="num" key={run.id}>
                      <span className="run-color" style={{ background: run.color }} aria-hidden="true" />
                      {run.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {metrics.map((metric) => (
                  <tr key={metric.name}>
                    <th scope="row">{metric.name}</th>
                    {metric.values.map((value, i) => {
                      const best = metric.bestRunId != null && metric.bestRunId === runs[i]?.id;
                      return (
                        <td className="num" key={i} style={best ? { fontWeight: 700 } : undefined}>
                          {formatMetric(metric.name, value)}
                          {best && <span className="visually-hidden"> (best)</span>}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      )}

      <Card
        title="Per-class metrics"
        headingId="per-class-heading"
        description="F1 per expression from each run's latest evaluation (precision / recall below)."
        testId="card-per-class"
      >
        {evaluations.every((evaluation) => !evaluation) ? (
          <p className="chart-hint">
            No evaluation recorded for these runs (run the trainer's evaluate command).
          </p>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="per-class-table">
              <thead>
                <tr>
                  <th scope="col">Expression</th>
                  {legendRuns.map((run) => (
                    <th scope="col" className="num" key={run.id}>
                      <span className="run-color" style={{ background: run.color }} aria-hidden="true" />
                      {run.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {EMOTIONS.map((emotion) => {
                  const values = evaluations.map((evaluation) =>
                    evaluation?.perClass.find((entry) => fromEmotionEnum(entry.emotion) === emotion),
                  );
                  const best = Math.max(...values.map((value) => value?.f1 ?? -1));
                  const bestIsUnique = values.filter((value) => value?.f1 === best).length === 1;
                  return (
                    <tr key={emotion}>
                      <th scope="row" style={{ textTransform: "capitalize" }}>
                        {emotion}
                      </th>
                      {values.map((value, i) => (
                        <td className="num" key={i}>
                          {value ? (
                            <>
                              <span
                                style={value.f1 === best && bestIsUnique ? { fontWeight: 700 } : undefined}
                              >
                                {value.f1.toFixed(3)}
                              </span>
                              <br />
                              <span className="chart-hint">
                                P {value.precision.toFixed(2)} / R {value.recall.toFixed(2)} · n=
                                {value.support}
                              </span>
                            </>
                          ) : (
                            "–"
                          )}
                        </td>
                      ))}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Card>

      <Card
        title="Confusion matrices"
        headingId="confusion-heading"
        description="Rows: true expression · columns: predicted. Shade = share of the row."
        testId="card-confusion"
      >
        <div className="confusion-row">
          {runs.map((run, i) => {
            const evaluation = evaluations[i];
            return evaluation && evaluation.confusion.length > 0 ? (
              <ConfusionMatrix
                key={run.id}
                evaluation={evaluation}
                title={runLabel(run)}
                color={runColor(i)}
              />
            ) : (
              <p key={run.id} className="chart-hint">
                {runLabel(run)}: no confusion matrix recorded.
              </p>
            );
          })}
        </div>
      </Card>
    </div>
  );
}
