import Link from "next/link";
import { EmptyState } from "@/components/ui/EmptyState";

export default function NotFound() {
  return (
    <div className="page">
      <EmptyState title="Page not found" testId="not-found">
        <p>
          This address does not exist in the dashboard. Go back to the{" "}
          <Link href="/">sentiment overview</Link>.
        </p>
      </EmptyState>
    </div>
  );
}
