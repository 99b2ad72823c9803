import { EmotionTag } from "@/components/ui/EmotionTag";
import { formatPercent, formatPointsDelta } from "@/lib/format";
import type { Mover } from "@/lib/stats";

export function TopMovers({ movers }: { movers: Mover[] }) {
  if (movers.length === 0) {
    return <p className="chart-hint">No previous period with data to compare against.</p>;
  }
  return (
    <ol className="movers" data-testid="top-movers">
      {movers.map((mover) => (
        <li key={mover.emotion} data-testid={`mover-${mover.emotion}`} data-change={mover.change.toFixed(6)}>
          <EmotionTag emotion={mover.emotion} />
          <span className="movers__share">
            {formatPercent(mover.previousShare)} → {formatPercent(mover.share)}
          </span>
          <strong
            className={mover.change > 0 ? "delta--up" : mover.change < 0 ? "delta--down" : ""}
            style={{ color: "inherit" }}
          >
            <span aria-hidden="true">{mover.change > 0 ? "▲ " : mover.change < 0 ? "▼ " : ""}</span>
            {formatPointsDelta(mover.change)}
          </strong>
        </li>
      ))}
    </ol>
  );
}
