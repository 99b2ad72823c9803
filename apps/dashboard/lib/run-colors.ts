/** One colour per compared run (up to the API's 10), distinct from each other and readable on white. */
export const RUN_COLORS = [
  "#2f4bc4",
  "#c2410c",
  "#15803d",
  "#9333ea",
  "#be123c",
  "#0e7490",
  "#a16207",
  "#4d7c0f",
  "#6d28d9",
  "#334155",
] as const;

export const runColor = (index: number): string => RUN_COLORS[index % RUN_COLORS.length]!;

export const runLabel = (run: { id: string; name: string | null }): string => run.name ?? run.id.slice(0, 8);
