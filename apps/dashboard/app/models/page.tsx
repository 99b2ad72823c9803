import type { Metadata } from "next";
import Link from "next/link";
import { PromoteButton } from "@/components/models/PromoteButton";
import { Card } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { ErrorState } from "@/components/ui/ErrorState";
import { Notice } from "@/components/ui/Notice";
import { PageHeader } from "@/components/ui/PageHeader";
import { fetchModels } from "@/lib/api/experiments";
import { formatDateTime } from "@/lib/format";
import { describeApiError, tryResult } from "@/lib/graphql";

export const metadata: Metadata = { title: "Models" };
export const dynamic = "force-dynamic";

const pct = (value: number | null) => (value == null ? "–" : `${(value * 100).toFixed(1)}%`);

export default async function ModelsPage() {
  const result = await tryResult(fetchModels);
  const header = (
    <PageHeader
      title="Models"
      subtitle={
        <>
          Registered model versions and the one every API instance serves. Promoting needs the admin role. Training runs are on{" "}
          <Link href="/experiments">Experiments</Link>.
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
  const { modelVersions, servedModel } = result.data;
  const active = modelVersions.find((model) => model.active);
  return (
    <div className="page" data-testid="models-page">
      {header}
      <div className="grid grid--2">
        <Card title="Active version" headingId="active-heading" testId="active-model">
          {active ? (
            <p>
              <strong data-testid="active-model-version">{active.version}</strong> ({active.stage.toLowerCase()}
              {active.architecture ? `, ${active.architecture}` : ""}) — accuracy {pct(active.accuracy)}, macro-F1{" "}
              {active.macroF1?.toFixed(3) ?? "–"}
              {active.promotedAt ? `, promoted ${formatDateTime(active.promotedAt)}` : ""}.
            </p>
          ) : (
            <p>No version is marked active; the API serves its default model directory.</p>
          )}
        </Card>
        <Card title="Served by this API instance" headingId="served-heading" testId="served-model">
          {servedModel.loaded ? (
            <p>
              <strong>{servedModel.version ?? "unknown version"}</strong>
              {servedModel.backend ? ` (${servedModel.backend})` : ""}
              {servedModel.loadedAt ? `, loaded ${formatDateTime(servedModel.loadedAt)}` : ""}.
            </p>
          ) : (
            <p>No model loaded{servedModel.error ? `: ${servedModel.error}` : "."}</p>
          )}
        </Card>
      </div>
      {active && servedModel.loaded && servedModel.version && servedModel.version !== active.version && (
        <Notice>
          This instance still serves {servedModel.version} while {active.version} is active; it switches on its next model check.
        </Notice>
      )}
      {modelVersions.length === 0 ? (
        <EmptyState title="No model versions registered">
          <p>
            Train and register a model with the trainer (<code>npm run trainer -- train</code>); registered versions appear here.
          </p>
        </EmptyState>
      ) : (
        <section className="card" aria-labelledby="versions-heading">
          <h2 id="versions-heading">Versions</h2>
          <div className="table-wrap">
            <table className="table" data-testid="models-table">
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Stage</th>
                  <th scope="col">Architecture</th>
                  <th scope="col" className="num">
                    Accuracy
                  </th>
                  <th scope="col" className="num">
                    Macro-F1
                  </th>
                  <th scope="col">Run</th>
                  <th scope="col">Created</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                {modelVersions.map((model) => (
                  <tr key={model.id} data-testid="model-row" data-version={model.version} data-active={model.active}>
                    <th scope="row">
                      {model.version} {model.active && <span className="badge-active" data-testid="active-badge">active</span>}
                    </th>
                    <td style={{ textTransform: "capitalize" }}>{model.stage.toLowerCase()}</td>
                    <td>{model.architecture ?? "–"}</td>
                    <td className="num">{pct(model.accuracy)}</td>
                    <td className="num">{model.macroF1?.toFixed(3) ?? "–"}</td>
                    <td>
                      {model.run ? (
                        <Link href={`/experiments/compare?ids=${encodeURIComponent(model.run.id)}`}>{model.run.name ?? model.run.id.slice(0, 8)}</Link>
                      ) : (
                        "–"
                      )}
                    </td>
                    <td>{formatDateTime(model.createdAt)}</td>
                    <td>{model.active ? <span className="chart-hint">active</span> : <PromoteButton version={model.version} />}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </div>
  );
}
