import { createReadStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { AppError, EMOTIONS } from "@moodlens/shared";
import { assertTrainable } from "./folder";
import { PIXELS_PER_SAMPLE, type ImportedSamples, type Split } from "./types";

/** FER-2013's `Usage` column. */
const USAGE_SPLITS: Readonly<Record<string, Split>> = {
  training: "train",
  publictest: "val",
  privatetest: "test",
};

/** At most this many bad rows are listed one by one; the rest are only counted. */
const MAX_LISTED_BAD_ROWS = 1000;

/**
 * Imports the FER-2013 CSV (`emotion,pixels,Usage`; emotion 0-6 in EMOTIONS order, 2304 space-separated pixels).
 * Rows that do not parse (wrong pixel count, values outside 0-255, unknown emotion code, missing columns) are
 * counted and listed by line number, never fatal. Streams the file: the original CSV is ~300 MB.
 */
export async function importFer2013Csv(
  path: string,
  options: { requireTrainable?: boolean } = {},
): Promise<ImportedSamples> {
  if (!existsSync(path)) throw new AppError("BAD_USER_INPUT", `${path} does not exist`);
  const samples: ImportedSamples = {
    pixels: [],
    labels: [],
    splits: [],
    report: { skipped: {}, corrupt: [], noFace: [] },
  };
  const lines = createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Infinity });
  let lineNumber = 0;
  let columns: { emotion: number; pixels: number; usage: number } | undefined;
  let badRows = 0;
  const bad = (reason: string) => {
    badRows += 1;
    if (samples.report.corrupt.length < MAX_LISTED_BAD_ROWS)
      samples.report.corrupt.push(`line ${lineNumber}: ${reason}`);
  };
  for await (const raw of lines) {
    lineNumber += 1;
    const line = raw.trim();
    if (line === "") continue;
    const cells = line.split(",").map((cell) => cell.trim().replace(/^"|"$/g, ""));
    if (!columns) {
      const header = cells.map((cell) => cell.toLowerCase());
      columns = {
        emotion: header.indexOf("emotion"),
        pixels: header.indexOf("pixels"),
        usage: header.indexOf("usage"),
      };
      if (columns.emotion < 0 || columns.pixels < 0) {
        throw new AppError(
          "DATASET_INVALID",
          `${path}: the header must name the columns emotion and pixels (and optionally Usage), got "${raw.slice(0, 80)}"`,
        );
      }
      continue;
    }
    if (cells.length < Math.max(columns.emotion, columns.pixels, columns.usage) + 1) {
      bad(`expected ${columns.usage >= 0 ? 3 : 2} columns, got ${cells.length}`);
      continue;
    }
    const code = Number(cells[columns.emotion]);
    if (!Number.isInteger(code) || code < 0) {
      bad(`emotion "${cells[columns.emotion]}" is not a class index`);
      continue;
    }
    if (code >= EMOTIONS.length) {
      // A code beyond our seven classes (e.g. an 8th "contempt" column in FER+-style exports): counted, skipped.
      const key = `emotion ${code}`;
      samples.report.skipped[key] = (samples.report.skipped[key] ?? 0) + 1;
      continue;
    }
    const values = cells[columns.pixels]!.split(/\s+/).filter(Boolean);
    if (values.length !== PIXELS_PER_SAMPLE) {
      bad(`expected ${PIXELS_PER_SAMPLE} pixels, got ${values.length}`);
      continue;
    }
    const crop = new Uint8Array(PIXELS_PER_SAMPLE);
    let valid = true;
    for (let i = 0; i < PIXELS_PER_SAMPLE; i++) {
      const value = Number(values[i]);
      if (!Number.isInteger(value) || value < 0 || value > 255) {
        valid = false;
        break;
      }
      crop[i] = value;
    }
    if (!valid) {
      bad("pixel values must be integers 0-255");
      continue;
    }
    const usage = columns.usage >= 0 ? (cells[columns.usage] ?? "").toLowerCase() : "";
    // The CSV already holds final 48x48 gray crops: they are exactly what preprocessCrop would produce.
    samples.pixels.push(crop);
    samples.labels.push(code);
    samples.splits.push(USAGE_SPLITS[usage] ?? "train");
  }
  if (badRows > samples.report.corrupt.length)
    samples.report.corrupt.push(`… and ${badRows - samples.report.corrupt.length} more bad rows`);
  if (!columns) throw new AppError("DATASET_INVALID", `${path} is empty`);
  if (options.requireTrainable !== false || samples.labels.length === 0)
    assertTrainable(samples.labels, path, samples.report.skipped);
  return samples;
}
