"use client";

import { useEffect } from "react";

/**
 * Shared body of every error.tsx: an unexpected failure while rendering a view. API failures are normally shown
 * in place by the page itself (ErrorState); this is the net under it, so a view is never blank.
 */
export function RouteError({ error, retry, view }: { error: unknown; retry: () => void; view: string }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest = (error as { digest?: string } | null)?.digest;
  return (
    <div className="page">
      <div
        className="state state--error"
        role="alert"
        data-testid="error-state"
        data-error-code="RENDER_FAILED"
      >
        <h2>The {view} could not be shown</h2>
        <p>Something went wrong while preparing this page. The API may be down or answering unexpectedly.</p>
        {digest && <p className="state__hint">Reference for the server log: {digest}</p>}
        <button type="button" className="button" onClick={() => retry()} data-testid="retry-button">
          Try again
        </button>
      </div>
    </div>
  );
}
