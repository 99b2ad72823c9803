import { EMOTIONS } from "@moodlens/shared";
import { formatDecimal, formatPercent } from "@/lib/format";
import { formatSeconds, type TimelineRow } from "@/lib/video-timeline";

/** The chart's numbers as a table (keyboard and screen-reader users; folded away by default). */
export function TimelineTable({ rows, onSeek }: { rows: TimelineRow[]; onSeek: (second: number) => void }) {
  return (
    <details className="data-table">
      <summary>Data table ({rows.length} seconds)</summary>
      <div className="table-wrap">
        <table className="table" data-testid="timeline-table">
          <caption className="visually-hidden">Faces, mean valence and emotion shares per second</caption>
          <thead>
            <tr>
              <th scope="col">Second</th>
              <th scope="col" className="num">
                Faces
              </th>
              <th scope="col" className="num">
                Valence
              </th>
              {EMOTIONS.map((emotion) => (
                <th key={emotion} scope="col" className="num" style={{ textTransform: "capitalize" }}>
                  {emotion}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr
                key={row.second}
                data-testid="timeline-row"
                data-second={row.second}
                data-faces={row.faces}
                data-valence={row.meanValence ?? ""}
              >
                <th scope="row">
                  <button
                    type="button"
                    className="button button--secondary button--small"
                    onClick={() => onSeek(row.second)}
                    aria-label={`Jump to ${formatSeconds(row.second)}`}
                  >
                    {formatSeconds(row.second)}
                  </button>
                </th>
                <td className="num">{row.faces}</td>
                <td className="num">{formatDecimal(row.meanValence, 2)}</td>
                {EMOTIONS.map((emotion) => (
                  <td
                    key={emotion}
                    className="num"
                    data-emotion={emotion}
                    data-share={row[emotion].toFixed(4)}
                  >
                    {formatPercent(row[emotion], 0)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
