import { parseArgs } from "node:util";
import { AppError, EMOTIONS } from "@moodlens/shared";
import {
  NO_INPUT_FILTER,
  applyInputFilter,
  loadModelArtifacts,
  measureActivationRanges,
  selectBackend,
} from "@moodlens/model";
import { importEvaluationData } from "../dataset/load";
import { PIXELS_PER_SAMPLE } from "../dataset/types";
import { backendPreference } from "../env";
import { modelDirectoryFrom } from "../evaluation/model-source";
import { rewriteModelFiles } from "../run/model-files";
import { logToStderr } from "../util/log";
import { resolveUserPath, toRecordedPath } from "../util/paths";
import { numberOption, required } from "./args";
import { QUANTIZE_USAGE } from "./usage";

/** Calibration images by default (100 per class): a few seconds of inference. */
const DEFAULT_IMAGES = 700;

/**
 * Makes model.onnx the int8 graph (onnxruntime's integer kernels: ~3x the float graph's faces/s on AVX-512 VNNI,
 * measured in `npm run bench`): measures the activation ranges on training images, records them in metadata.json
 * (onnxQuantization) and re-exports model.onnx. `--remove` goes back to the float graph. Evaluate and calibrate then
 * measure the int8 graph, since it is what the API serves.
 */
export async function quantizeCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: "string" },
      data: { type: "string" },
      images: { type: "string" },
      share: { type: "string" },
      remove: { type: "boolean" },
    },
    strict: true,
  });
  const usage = QUANTIZE_USAGE.split("\n")[0];
  const directory = modelDirectoryFrom(required(values.model, "model", usage));
  const log = logToStderr;
  await selectBackend(backendPreference(), { logger: log });
  const { model, metadata } = await loadModelArtifacts(directory);
  try {
    if (values.remove) {
      const { onnxQuantization: _removed, ...float } = metadata;
      const written = await rewriteModelFiles(directory, model, float, log);
      log(`model.onnx is the float graph again (sha256 ${written.onnxSha256?.slice(0, 12)}…)`);
      return 0;
    }
    const dataPath = resolveUserPath(required(values.data, "data", usage));
    const images = numberOption(values.images, "images") ?? DEFAULT_IMAGES;
    if (!Number.isInteger(images) || images < EMOTIONS.length)
      throw new AppError("BAD_USER_INPUT", `--images must be an integer of at least ${EMOTIONS.length}`);
    const dataset = await importEvaluationData(dataPath, "folder", log);
    // The same number from every class (in file order), so rare classes' activations are measured too.
    const perClass = Math.ceil(images / EMOTIONS.length);
    const taken = new Array<number>(EMOTIONS.length).fill(0);
    const inputFilter = metadata.inputFilter ?? NO_INPUT_FILTER;
    const crops: Uint8Array[] = [];
    for (let i = 0; i < dataset.manifest.count; i++) {
      const label = dataset.labels[i]!;
      if (taken[label]! >= perClass) continue;
      taken[label]!++;
      crops.push(
        applyInputFilter(
          dataset.pixels.subarray(i * PIXELS_PER_SAMPLE, (i + 1) * PIXELS_PER_SAMPLE),
          inputFilter,
        ),
      );
    }
    const activationRanges = await measureActivationRanges(model, crops, numberOption(values.share, "share"));
    const written = await rewriteModelFiles(
      directory,
      model,
      {
        ...metadata,
        onnxQuantization: {
          kind: "int8",
          activationRanges,
          calibrationData: toRecordedPath(dataPath),
          calibrationImages: crops.length,
        },
      },
      log,
    );
    process.stdout.write(
      `${JSON.stringify({ model: toRecordedPath(directory), onnxSha256: written.onnxSha256, calibrationImages: crops.length, activationRanges })}\n`,
    );
    log(
      `model.onnx is the int8 graph; measure it with: npm run trainer -- evaluate --model ${toRecordedPath(directory)} --data <val>`,
    );
    return 0;
  } finally {
    model.dispose();
  }
}
