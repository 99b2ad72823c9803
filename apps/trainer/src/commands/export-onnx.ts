import { parseArgs } from "node:util";
import { loadModelArtifacts, selectBackend } from "@moodlens/model";
import { modelDirectoryFrom } from "../evaluation/model-source";
import { rewriteModelFiles } from "../run/model-files";
import { required } from "./args";
import { EXPORT_ONNX_USAGE } from "./usage";
import { logToStderr } from "../util/log";
import { backendPreference } from "../env";

/**
 * Re-saves a model folder with model.onnx (its served calibration in the graph) and its hash in metadata.json
 * (weights and metadata otherwise unchanged).
 */
export async function exportOnnxCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { model: { type: "string" } }, strict: true });
  const directory = modelDirectoryFrom(required(values.model, "model", EXPORT_ONNX_USAGE));
  await selectBackend(backendPreference(), { logger: logToStderr });
  const { model, metadata: previous } = await loadModelArtifacts(directory);
  try {
    const metadata = await rewriteModelFiles(directory, model, previous, logToStderr);
    if (!metadata.onnxSha256) return 1;
    process.stdout.write(`wrote ${directory}/model.onnx (sha256 ${metadata.onnxSha256.slice(0, 12)}…)\n`);
    return 0;
  } finally {
    model.dispose();
  }
}
