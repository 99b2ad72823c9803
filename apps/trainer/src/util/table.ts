/** Renders rows as an aligned plain-text table (first row = header). */
export function table(rows: (string | number | null | undefined)[][]): string {
  const text = rows.map((row) =>
    row.map((cell) => (cell === null || cell === undefined ? "-" : String(cell))),
  );
  const widths = text[0]!.map((_, column) => Math.max(...text.map((row) => row[column]?.length ?? 0)));
  return text
    .map((row, index) => {
      const line = row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join("  ")
        .trimEnd();
      return index === 0 ? `${line}\n${widths.map((w) => "-".repeat(w)).join("  ")}` : line;
    })
    .join("\n");
}

export const pct = (value: number | null | undefined): string =>
  typeof value === "number" ? `${(value * 100).toFixed(2)}%` : "-";
export const num = (value: number | null | undefined, digits = 4): string =>
  typeof value === "number" ? value.toFixed(digits) : "-";
