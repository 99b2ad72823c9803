import type { ReactNode } from "react";

export function Notice({
  children,
  tone = "warning",
  testId,
}: {
  children: ReactNode;
  tone?: "warning" | "info";
  testId?: string;
}) {
  return (
    <div className={tone === "info" ? "notice notice--info" : "notice"} role="status" data-testid={testId}>
      {children}
    </div>
  );
}
