/**
 * Until the trainer ships models/default, speed is measured on randomly initialised networks of the same
 * architectures, saved like a real model (model.json + weights.bin + metadata.json, + model.onnx when the engine's
 * exporter exists). Their accuracy is meaningless and never reported.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type * as tf from "@tensorflow/tfjs";
import * as moodlens from "@moodlens/model";
import { log, runAsProbe } from "../core/child";

export interface PrepareModelsInput {
  scratchDir: string;
}
export interface PreparedModel {
  architecture: "compact" | "deep";
  dir: string;
  params: number;
  onnx: boolean;
  onnxError?: string;
}

/** The exporter's expected shape (engine helper's contract); looked up at run time so the bench works before it lands. */
type OnnxExporter = (model: tf.LayersModel) => Promise<Uint8Array> | Uint8Array;

runAsProbe<PrepareModelsInput, PreparedModel[]>(async ({ scratchDir }) => {
  await moodlens.selectBackend("wasm", { logger: () => {} });
  const exportOnnx = (moodlens as unknown as { exportOnnx?: OnnxExporter }).exportOnnx;
  const prepared: PreparedModel[] = [];
  for (const architecture of moodlens.ARCHITECTURES) {
    const dir = join(scratchDir, `random-${architecture}`);
    await mkdir(dir, { recursive: true });
    const network = moodlens.buildNetwork(moodlens.NETWORK_DEFAULTS[architecture]);
    let onnx: Uint8Array | undefined;
    let onnxError: string | undefined;
    if (exportOnnx) {
      try {
        onnx = await exportOnnx(network);
      } catch (error) {
        onnxError = error instanceof Error ? error.message : String(error);
      }
    } else {
      onnxError = "@moodlens/model has no exportOnnx yet";
    }
    await moodlens.saveModelArtifacts(
      network,
      dir,
      {
        architecture,
        hyperparameters: { ...moodlens.NETWORK_DEFAULTS[architecture] },
        runId: "bench-random-init",
        datasetFingerprint: "none: random initialisation, for speed measurements only",
        metrics: {},
      },
      onnx ? { onnx } : {},
    );
    prepared.push({
      architecture,
      dir,
      params: network.countParams(),
      onnx: onnx !== undefined,
      ...(onnxError ? { onnxError } : {}),
    });
    log(
      `random ${architecture} network (${network.countParams()} params) saved to ${dir}${onnx ? " with model.onnx" : ""}`,
    );
    network.dispose();
  }
  return prepared;
});
