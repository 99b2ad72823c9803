import type { Metadata } from "next";
import { TryIt } from "@/components/try/TryIt";
import { Notice } from "@/components/ui/Notice";
import { PageHeader } from "@/components/ui/PageHeader";
import { fetchTryPage } from "@/lib/api/analyze";
import { dashboardEnv } from "@/lib/env";
import { tryResult } from "@/lib/graphql";

export const metadata: Metadata = { title: "Try it" };
export const dynamic = "force-dynamic";

export default async function TryPage() {
  const health = await tryResult(fetchTryPage);
  const dashboardLimit = dashboardEnv().MOODLENS_DASHBOARD_MAX_UPLOAD_BYTES;
  const maxBytes = health.ok
    ? Math.min(dashboardLimit, health.data.health.limits.maxImageBytes)
    : dashboardLimit;
  return (
    <div className="page" data-testid="try-page">
      <PageHeader
        title="Try it"
        subtitle="Analyse one photo: every detected face is outlined with its expression probabilities. Nothing is stored unless you ask."
      />
      {!health.ok && (
        <Notice testId="try-api-notice">
          The API did not answer its health check ({health.error.message}); analysing will probably fail until
          it is running.
        </Notice>
      )}
      {health.ok && !health.data.health.modelLoaded && (
        <Notice testId="try-api-notice">
          The API has no model loaded
          {health.data.health.modelError ? ` (${health.data.health.modelError})` : ""}: analyses will fail
          until one is trained or promoted.
        </Notice>
      )}
      <TryIt maxBytes={maxBytes} />
    </div>
  );
}
