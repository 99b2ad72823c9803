import { Skeleton } from "@/components/ui/Skeleton";

export default function Loading() {
  return (
    <div className="page" aria-busy="true" data-testid="loading-state">
      <p className="visually-hidden" role="status">
        Loading model versions…
      </p>
      <Skeleton height={32} width={160} />
      <div className="card">
        {Array.from({ length: 5 }, (_, i) => (
          <Skeleton key={i} height={26} />
        ))}
      </div>
    </div>
  );
}
