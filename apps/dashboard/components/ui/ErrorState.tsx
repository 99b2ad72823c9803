import type { ApiErrorInfo } from "@/lib/graphql";
import { RetryButton } from "./RetryButton";

/** An API failure explained: what happened, the API's own message, and what to do. */
export function ErrorState({ error, retry = true }: { error: ApiErrorInfo; retry?: boolean }) {
  return (
    <div className="state state--error" role="alert" data-testid="error-state" data-error-code={error.code}>
      <h2>{error.title}</h2>
      <p>{error.message}</p>
      {error.hint && <p className="state__hint">{error.hint}</p>}
      {retry && <RetryButton />}
    </div>
  );
}
