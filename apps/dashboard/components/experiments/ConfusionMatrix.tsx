import { fromEmotionEnum } from "@moodlens/shared";
import type { Evaluation } from "@/lib/api/types";

/**
 * Confusion matrix as a real table (rows = true label, columns = predicted), cells shaded by the share of the
 * row (recall view) so matrices of different test-set sizes compare at a glance.
 */
export function ConfusionMatrix({
  evaluation,
  title,
  color,
}: {
  evaluation: Evaluation;
  title: string;
  color: string;
}) {
  const labels = evaluation.labels.map(fromEmotionEnum);
  return (
    <figure style={{ margin: 0 }} data-testid="confusion-matrix" data-evaluation={evaluation.id}>
      <figcaption style={{ fontWeight: 600, marginBottom: 6 }}>
        <span className="run-color" style={{ background: color }} aria-hidden="true" />
        {title}
        <span className="chart-hint">
          {" "}
          · {evaluation.split ?? "evaluation"} · accuracy {(evaluation.accuracy * 100).toFixed(1)}%
        </span>
      </figcaption>
      <div className="table-wrap" style={{ border: 0 }}>
        <table className="confusion">
          <caption className="visually-hidden">
            {title}: rows are the true expression, columns the predicted one; each cell is a count of images.
          </caption>
          <thead>
            <tr>
              <th scope="col" className="confusion__head" style={{ fontSize: "0.7rem" }}>
                true ↓ / pred →
              </th>
              {labels.map((label) => (
                <th scope="col" key={label} className="confusion__head" title={label}>
                  {label.slice(0, 3)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {evaluation.confusion.map((row, i) => {
              const total = row.reduce((sum, value) => sum + value, 0);
              return (
                <tr key={labels[i] ?? i}>
                  <th scope="row" className="confusion__head confusion__rowhead">
                    {labels[i]}
                  </th>
                  {row.map((value, j) => {
                    const share = total ? value / total : 0;
                    return (
                      <td
                        key={j}
                        className="confusion__cell"
                        title={`true ${labels[i]}, predicted ${labels[j]}: ${value} (${(share * 100).toFixed(1)}% of row)`}
                        style={{
                          background: `color-mix(in srgb, ${i === j ? "#1d7a46" : "#b42318"} ${Math.round(share * 100)}%, #ffffff)`,
                          color: share > 0.5 ? "#fff" : "#1b2230",
                          fontWeight: i === j ? 700 : 400,
                        }}
                      >
                        {value}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
