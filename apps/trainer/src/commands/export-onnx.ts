import { parseArgs } from "node:util";
import {
  exportOnnx,
  loadModelArtifacts,
  readModelMetadata,
  saveModelArtifacts,
  selectBackend,
} from "@moodlens/model";
import { modelDirectoryFrom } from "../evaluation/model-source";
import { required } from "./args";
import { EXPORT_ONNX_USAGE } from "./usage";
import { logToStderr } from "../util/log";
import { backendPreference } from "../env";

/** Re-saves a model folder with model.onnx and its hash in metadata.json (weights and metadata otherwise unchanged). */
export async function exportOnnxCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { model: { type: "string" } }, strict: true });
  const directory = modelDirectoryFrom(required(values.model, "model", EXPORT_ONNX_USAGE));
  await selectBackend(backendPreference(), { logger: logToStderr });
  const previous = await readModelMetadata(directory);
  const { model } = await loadModelArtifacts(directory);
  try {
    const onnx = exportOnnx(model);
    const {
      formatVersion: _f,
      labels: _l,
      inputSize: _i,
      normalization: _n,
      weightsSha256: _w,
      onnxSha256: _o,
      ...input
    } = previous;
    const metadata = await saveModelArtifacts(model, directory, input, { onnx });
    process.stdout.write(
      `wrote ${directory}/model.onnx (${onnx.byteLength} bytes, sha256 ${metadata.onnxSha256?.slice(0, 12)}…)\n`,
    );
    return 0;
  } finally {
    model.dispose();
  }
}
