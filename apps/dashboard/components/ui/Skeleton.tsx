/** Placeholder blocks shown by loading.tsx while the server fetches data. */
export function Skeleton({ height = 16, width = "100%" }: { height?: number; width?: number | string }) {
  return <div className="skeleton" style={{ height, width }} aria-hidden="true" />;
}

export function PageSkeleton({ label, blocks = 3 }: { label: string; blocks?: number }) {
  return (
    <div className="page" aria-busy="true" data-testid="loading-state">
      <p className="visually-hidden" role="status">
        {label}
      </p>
      <Skeleton height={32} width={280} />
      <div className="grid grid--kpis">
        {Array.from({ length: 4 }, (_, i) => (
          <div className="card" key={i}>
            <Skeleton height={14} width="50%" />
            <Skeleton height={34} width="70%" />
          </div>
        ))}
      </div>
      {Array.from({ length: blocks }, (_, i) => (
        <div className="card" key={i}>
          <Skeleton height={18} width={220} />
          <Skeleton height={220} />
        </div>
      ))}
    </div>
  );
}
