import { fromEmotionEnum } from "@moodlens/shared";
import { EmotionTag } from "@/components/ui/EmotionTag";
import { ProbabilityBars } from "@/components/ui/ProbabilityBars";
import type { AnalysisRow } from "@/lib/api/types";
import { formatDateTime } from "@/lib/format";
import { NO_KEY_LABEL, dominantOf, meanProbabilities } from "@/lib/stats";

/**
 * One row per stored analysis. For a group photo the dominant emotion and the bars show the mean of its faces'
 * probabilities (each face's own dominant emotion is in the tooltip of the faces cell).
 */
export function AnalysesTable({ rows, timezone }: { rows: AnalysisRow[]; timezone: string }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="analyses-table">
        <caption>Analyses, newest first. Times in {timezone}.</caption>
        <thead>
          <tr>
            <th scope="col">Captured</th>
            <th scope="col">Source</th>
            <th scope="col">Campaign</th>
            <th scope="col" className="num">
              Faces
            </th>
            <th scope="col">Dominant emotion</th>
            <th scope="col">Probabilities</th>
            <th scope="col" className="hide-narrow">
              Model
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const mean = meanProbabilities(row.faces);
            const dominant =
              row.faces.length === 1 ? fromEmotionEnum(row.faces[0]!.dominantEmotion) : dominantOf(mean);
            const perFace = row.faces
              .map((face) => `face ${face.index + 1}: ${face.dominantEmotion.toLowerCase()}`)
              .join(", ");
            return (
              <tr key={row.id} data-testid="analysis-row" data-id={row.id} data-faces={row.faceCount}>
                <td>{formatDateTime(row.capturedAt, timezone)}</td>
                <td>{row.source ?? NO_KEY_LABEL}</td>
                <td>{row.campaign ?? NO_KEY_LABEL}</td>
                <td className="num" title={perFace || undefined}>
                  {row.faceCount}
                </td>
                <td data-testid="analysis-dominant">
                  {row.faces.length ? (
                    <EmotionTag emotion={dominant} />
                  ) : (
                    <span className="chart-hint">no face</span>
                  )}
                </td>
                <td>{row.faces.length ? <ProbabilityBars probabilities={mean} /> : null}</td>
                <td className="hide-narrow">
                  {row.modelVersion}
                  {row.demo && (
                    <span
                      className="tag"
                      style={{ marginLeft: 6 }}
                      title="Synthetic row from npm run seed -- --demo"
                    >
                      demo
                    </span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
