/**
 * `npm run photo-path -w @moodlens/bench [-- --quick | --large | --fit | --portrait] [-- --model <dir>]
 * [-- --out <file.json>] [-- --records <file.json>] [-- --detector <json>]`: the photo-path check on its own (the
 * bench runs the same function as its `photoPath` section). Prints the summary as JSON; `--records` also writes every
 * face's placement, detection and predictions. `--large` lays every PublicTest face but the fit faces (3,439) into
 * photos, for a gap precise enough to decide the 3-point gate (~15 minutes). `--fit` runs the faces the crop rule's
 * constants are fitted on and prints the fitted constants (fit.ts). `--portrait` runs only the close-up portrait
 * check (portrait.ts; the other modes include it as `portrait`). `--detector` passes detector settings
 * (FaceDetectorConfig as JSON, e.g. `{"borderView":0}`) to compare detector variants.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { createFaceAnalyzer, type FaceDetectorConfig } from "@moodlens/model";
import { DEFAULT_MODEL_DIR } from "../core/paths";
import { fitFraming } from "./fit";
import { measurePhotoPath, measurePortraits } from "./section";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      /** Every PublicTest face but the fit faces (3,439; ~15 minutes): a gap precise enough for the 3-point gate. */
      large: { type: "boolean", default: false },
      /** The faces the crop rule is fitted on (files 100-124 of each class), with --records. */
      fit: { type: "boolean", default: false },
      /** Only the close-up portraits (portrait.ts). */
      portrait: { type: "boolean", default: false },
      model: { type: "string", default: DEFAULT_MODEL_DIR },
      out: { type: "string" },
      records: { type: "string" },
      detector: { type: "string" },
    },
  });
  const detector = values.detector ? (JSON.parse(values.detector) as FaceDetectorConfig) : undefined;
  const analyzer = await createFaceAnalyzer({
    modelDir: values.model,
    backend: "wasm",
    ...(detector ? { detector } : {}),
  });
  try {
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const { result, records } = values.portrait
      ? await measurePortraits(analyzer, log)
      : await measurePhotoPath(
          analyzer,
          values.fit ? "fit" : values.quick ? "quick" : values.large ? "large" : "full",
          log,
        );
    const json = `${JSON.stringify(result, null, 2)}\n`;
    if (values.out) {
      await mkdir(dirname(values.out), { recursive: true });
      await writeFile(values.out, json);
    }
    if (values.records) await writeFile(values.records, JSON.stringify(records));
    process.stdout.write(json);
    if (values.fit && !values.portrait)
      process.stdout.write(
        `fitted crop-rule constants (face-frame.ts):\n${JSON.stringify(fitFraming(records), null, 2)}\n`,
      );
  } finally {
    await analyzer.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `photo-path check failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
