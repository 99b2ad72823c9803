"use client";

import { useActionState } from "react";
import { promoteModelAction, type PromoteState } from "@/app/models/actions";

/** Promote one version; the result (or the API's FORBIDDEN explained) shows right under the button. */
export function PromoteButton({ version }: { version: string }) {
  const [state, action, pending] = useActionState<PromoteState, FormData>(promoteModelAction, { status: "idle" });
  return (
    <form action={action} style={{ display: "flex", flexDirection: "column", gap: 6, alignItems: "flex-start" }}>
      <input type="hidden" name="version" value={version} />
      <button type="submit" className="button button--secondary button--small" disabled={pending} data-testid="promote-button" data-version={version}>
        {pending ? "Promoting…" : "Make active"}
      </button>
      <span role="status" aria-live="polite">
        {state.status === "done" && <span style={{ color: "var(--positive)" }}>Promoted.</span>}
      </span>
      {state.status === "error" && (
        <div className="state state--error" role="alert" data-testid="promote-error" data-error-code={state.error.code} style={{ padding: 10, whiteSpace: "normal", maxWidth: 360 }}>
          <strong>{state.error.title}</strong>
          <span>{state.error.message}</span>
          {state.error.hint && <span className="state__hint">{state.error.hint}</span>}
        </div>
      )}
    </form>
  );
}
