"use client";

import { useRouter } from "next/navigation";
import { useTransition } from "react";

/** Re-runs the server render of the current page (data fetches included) without a full reload. */
export function RetryButton({ label = "Retry" }: { label?: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <button
      type="button"
      className="button button--secondary"
      data-testid="retry-button"
      disabled={pending}
      onClick={() => startTransition(() => router.refresh())}
    >
      {pending ? "Retrying…" : label}
    </button>
  );
}
