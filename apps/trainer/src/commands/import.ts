import { parseArgs } from "node:util";
import { EMOTIONS } from "@moodlens/shared";
import { loadOrImport } from "../dataset/load";
import { env } from "../env";
import { resolveUserPath } from "../util/paths";
import { table } from "../util/table";
import { choiceOption, required } from "./args";
import { IMPORT_USAGE } from "./usage";
import { logToStderr } from "../util/log";

export async function importCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: "string" },
      format: { type: "string" },
      name: { type: "string" },
      force: { type: "boolean" },
      json: { type: "boolean" },
    },
    strict: true,
  });
  const from = required(values.from, "from", IMPORT_USAGE.split("\n")[0]);
  const kind = choiceOption(values.format, "format", ["folder", "csv", "photos"] as const);
  const log = logToStderr;
  const { dataset, directory, imported } = await loadOrImport(resolveUserPath(from), {
    cacheDirectory: resolveUserPath(env().MOODLENS_CACHE_DIR),
    ...(kind ? { kind } : {}),
    ...(values.name ? { name: values.name } : {}),
    force: Boolean(values.force),
    log,
  });
  const { manifest } = dataset;
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ cache: directory, imported, ...manifest })}\n`);
    return 0;
  }
  const out = (line = "") => process.stdout.write(`${line}\n`);
  out(
    `${imported ? "imported" : "already cached"}: ${manifest.count} images from ${manifest.source.path} (${manifest.source.kind})`,
  );
  out(`cache ${directory}`);
  out(`fingerprint ${manifest.fingerprint}`);
  out();
  out(table([["class", "images"], ...EMOTIONS.map((e) => [e, manifest.classCounts[e]])]));
  out();
  out(
    `splits: train ${manifest.splitCounts.train}, val ${manifest.splitCounts.val}, test ${manifest.splitCounts.test}`,
  );
  const skipped = Object.entries(manifest.report.skipped);
  if (skipped.length) out(`skipped (no such class): ${skipped.map(([k, v]) => `${k} ${v}`).join(", ")}`);
  if (manifest.report.corrupt.length) {
    out(`unreadable (${manifest.report.corrupt.length}):`);
    for (const entry of manifest.report.corrupt) out(`  ${entry}`);
  }
  if (manifest.report.noFace.length) {
    out(`no face found (${manifest.report.noFace.length}):`);
    for (const entry of manifest.report.noFace) out(`  ${entry}`);
  }
  return 0;
}
