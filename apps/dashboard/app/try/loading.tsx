import { Skeleton } from "@/components/ui/Skeleton";

export default function Loading() {
  return (
    <div className="page" aria-busy="true" data-testid="loading-state">
      <p className="visually-hidden" role="status">
        Loading Try it…
      </p>
      <Skeleton height={32} width={160} />
      <div className="card">
        <Skeleton height={140} />
      </div>
    </div>
  );
}
