import { Skeleton } from "@/components/ui/Skeleton";

export default function Loading() {
  return (
    <div className="page" aria-busy="true" data-testid="loading-state">
      <p className="visually-hidden" role="status">
        Loading the run comparison…
      </p>
      <Skeleton height={32} width={220} />
      <div className="card">
        {Array.from({ length: 8 }, (_, i) => (
          <Skeleton key={i} height={26} />
        ))}
      </div>
    </div>
  );
}
