"use client";

import { RouteError } from "@/components/layout/RouteError";

export default function ModelsError({ error, retry }: { error: unknown; retry: () => void }) {
  return <RouteError error={error} retry={retry} view="model versions" />;
}
