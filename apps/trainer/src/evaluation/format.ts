import type { EvaluationReport } from "@moodlens/shared";
import { num, pct, table } from "../util/table";

/** Human-readable evaluation: headline numbers, per-class table, confusion matrix. */
export function formatReport(report: EvaluationReport): string {
  const lines = [
    `accuracy ${pct(report.accuracy)}  macro-F1 ${num(report.macroF1)}  ECE ${num(report.ece)}` +
      (report.eceAfterTemperature !== undefined
        ? ` → ${num(report.eceAfterTemperature)} at T=${num(report.temperature, 3)}`
        : "") +
      `  (${report.samples ?? "?"} images)`,
    "",
    table([
      ["class", "precision", "recall", "F1", "support"],
      ...report.labels.map((label) => {
        const m = report.perClass[label];
        return [label, num(m.precision, 3), num(m.recall, 3), num(m.f1, 3), m.support];
      }),
    ]),
    "",
    "confusion (rows = true, columns = predicted)",
    table([
      ["", ...report.labels.map((l) => l.slice(0, 7))],
      ...report.confusion.map((row, i) => [report.labels[i]!, ...row]),
    ]),
  ];
  const skipped = Object.entries(report.skipped);
  if (skipped.length)
    lines.push("", `skipped (no such class): ${skipped.map(([k, v]) => `${k} ${v}`).join(", ")}`);
  return lines.join("\n");
}
