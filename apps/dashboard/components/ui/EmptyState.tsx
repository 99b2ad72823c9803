import type { ReactNode } from "react";

/** Says that there is nothing to show and what to do about it. */
export function EmptyState({
  title,
  children,
  testId = "empty-state",
}: {
  title: string;
  children?: ReactNode;
  testId?: string;
}) {
  return (
    <div className="state state--empty" role="status" data-testid={testId}>
      <h2>{title}</h2>
      {children && <div className="state__hint">{children}</div>}
    </div>
  );
}
