"use client";

import { RouteError } from "@/components/layout/RouteError";

export default function AnalysesError({ error, retry }: { error: unknown; retry: () => void }) {
  return <RouteError error={error} retry={retry} view="list of analyses" />;
}
