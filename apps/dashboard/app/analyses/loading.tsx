import { Skeleton } from "@/components/ui/Skeleton";

export default function Loading() {
  return (
    <div className="page" aria-busy="true" data-testid="loading-state">
      <p className="visually-hidden" role="status">
        Loading analyses…
      </p>
      <Skeleton height={32} width={200} />
      <div className="card">
        <Skeleton height={60} />
      </div>
      <div className="card">
        {Array.from({ length: 10 }, (_, i) => (
          <Skeleton key={i} height={28} />
        ))}
      </div>
    </div>
  );
}
