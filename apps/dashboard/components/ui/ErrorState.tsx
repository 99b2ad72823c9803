import type { ApiErrorInfo } from "@/lib/graphql";
import { RetryButton } from "./RetryButton";

/** What went wrong, as every error box shows it: a code for tests and tools, an optional title, the message. */
export type ErrorStateInfo = Pick<ApiErrorInfo, "code" | "message" | "hint"> & { title?: string };

/**
 * A failure explained: what happened, the message, and what to do. Pages show it as a section (`h2`, with a
 * retry button); forms and panels inside a card show it under their own heading (`heading="h3"`, no retry).
 */
export function ErrorState({
  error,
  retry = true,
  testId = "error-state",
  heading: Heading = "h2",
}: {
  error: ErrorStateInfo;
  retry?: boolean;
  testId?: string;
  heading?: "h2" | "h3";
}) {
  return (
    <div className="state state--error" role="alert" data-testid={testId} data-error-code={error.code}>
      {error.title && <Heading>{error.title}</Heading>}
      <p>{error.message}</p>
      {error.hint && <p className="state__hint">{error.hint}</p>}
      {retry && <RetryButton />}
    </div>
  );
}
