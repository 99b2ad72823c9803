import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Directory holding the SDL, one file per area (common, analysis, stats, experiments, models). */
export const SCHEMA_DIR = dirname(fileURLToPath(import.meta.url));

/** The whole schema as SDL text, files concatenated in a stable order. */
export function loadTypeDefs(): string {
  return readdirSync(SCHEMA_DIR)
    .filter((file) => file.endsWith(".graphql"))
    .sort()
    .map((file) => readFileSync(join(SCHEMA_DIR, file), "utf8"))
    .join("\n");
}
