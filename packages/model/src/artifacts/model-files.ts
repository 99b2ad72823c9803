import { join } from "node:path";
import { AppError, EMOTIONS } from "@moodlens/shared";
import { tf } from "../tf";
import { exists, readBytes, sha256, toArrayBuffer, writeFileAtomic } from "./files";
import {
  MODEL_FILES,
  MODEL_FORMAT_VERSION,
  validateMetadata,
  type ModelMetadata,
  type ModelMetadataInput,
} from "./metadata";

export interface SaveModelOptions {
  /** ONNX bytes (from exportOnnx) to store as model.onnx, hashed into metadata.onnxSha256. */
  onnx?: Uint8Array;
}

export interface LoadedModel {
  model: tf.LayersModel;
  metadata: ModelMetadata;
  /** Absolute path of model.onnx when present and its hash matches. */
  onnxPath?: string;
}

/** tfjs hands weights over as one buffer or a list of shards; we always store one weights.bin. */
function joinWeights(weightData: tf.io.WeightData | undefined): Uint8Array {
  if (weightData === undefined) return new Uint8Array();
  return new Uint8Array(tf.io.CompositeArrayBuffer.join(weightData));
}

/**
 * Saves a model as model.json + weights.bin + metadata.json (+ model.onnx) without tfjs-node's file:// handler.
 * Metadata is written last: it carries the weights' hash, so an interrupted save is detected on load.
 */
export async function saveModelArtifacts(
  model: tf.LayersModel,
  dir: string,
  input: ModelMetadataInput,
  options: SaveModelOptions = {},
): Promise<ModelMetadata> {
  let weights: Uint8Array = new Uint8Array();
  let topology: object | undefined;
  let weightSpecs: tf.io.WeightsManifestEntry[] = [];
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      weights = joinWeights(artifacts.weightData);
      topology = artifacts.modelTopology as object;
      weightSpecs = artifacts.weightSpecs ?? [];
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  const modelJson = {
    format: "layers-model",
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: null,
    modelTopology: topology,
    weightsManifest: [{ paths: [MODEL_FILES.weights], weights: weightSpecs }],
  };
  const metadata: ModelMetadata = {
    formatVersion: MODEL_FORMAT_VERSION,
    labels: [...EMOTIONS],
    inputSize: 48,
    normalization: "divide255",
    ...input,
    createdAt: input.createdAt ?? new Date().toISOString(),
    temperature: input.temperature ?? 1,
    weightsSha256: sha256(weights),
    ...(options.onnx ? { onnxSha256: sha256(options.onnx) } : {}),
  };
  await writeFileAtomic(join(dir, MODEL_FILES.weights), weights);
  await writeFileAtomic(join(dir, MODEL_FILES.topology), JSON.stringify(modelJson));
  if (options.onnx) await writeFileAtomic(join(dir, MODEL_FILES.onnx), options.onnx);
  await writeFileAtomic(join(dir, MODEL_FILES.metadata), `${JSON.stringify(metadata, null, 2)}\n`);
  return metadata;
}

function invalid(file: string, problem: string, cause?: unknown): never {
  throw new AppError("MODEL_INVALID", `${file}: ${problem}`, {
    hint: "re-export the model with the trainer, or restore the model directory from version control",
    details: { file },
    ...(cause === undefined ? {} : { cause }),
  });
}

async function readJson(path: string): Promise<unknown> {
  const text = new TextDecoder().decode(await readBytes(path));
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    return invalid(path, "is not valid JSON", error);
  }
}

/** Reads and checks metadata.json only (cheap: no weights are loaded). */
export async function readModelMetadata(dir: string): Promise<ModelMetadata> {
  const path = join(dir, MODEL_FILES.metadata);
  if (!(await exists(path))) {
    throw new AppError(
      "MODEL_NOT_TRAINED",
      `no trained model in ${dir} (${MODEL_FILES.metadata} is missing)`,
      {
        hint: "train one with the trainer (apps/trainer) or point the model directory setting at an exported model",
        details: { dir },
      },
    );
  }
  return validateMetadata(await readJson(path), path);
}

/**
 * Loads a saved model and refuses anything that does not match its metadata: weights hash, label order,
 * input/output shapes. A missing directory is MODEL_NOT_TRAINED; everything else MODEL_INVALID.
 */
export async function loadModelArtifacts(dir: string): Promise<LoadedModel> {
  const metadata = await readModelMetadata(dir);
  const weightsPath = join(dir, MODEL_FILES.weights);
  const topologyPath = join(dir, MODEL_FILES.topology);
  if (!(await exists(weightsPath))) invalid(weightsPath, "is missing");
  if (!(await exists(topologyPath))) invalid(topologyPath, "is missing");
  const weights = await readBytes(weightsPath);
  const actualHash = sha256(weights);
  if (actualHash !== metadata.weightsSha256) {
    invalid(
      weightsPath,
      `sha256 ${actualHash.slice(0, 12)}… does not match metadata.json (${metadata.weightsSha256.slice(0, 12)}…)`,
    );
  }
  const modelJson = (await readJson(topologyPath)) as {
    modelTopology?: object;
    weightsManifest?: { weights: tf.io.WeightsManifestEntry[] }[];
  };
  if (!modelJson.modelTopology || !Array.isArray(modelJson.weightsManifest)) {
    invalid(topologyPath, "has no modelTopology/weightsManifest");
  }
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs,
        weightData: toArrayBuffer(weights),
      }),
    );
  } catch (error) {
    return invalid(
      topologyPath,
      `cannot be loaded (${error instanceof Error ? error.message : String(error)})`,
      error,
    );
  }
  const inputShape = model.inputs[0]?.shape;
  const outputShape = model.outputs[0]?.shape;
  if (
    JSON.stringify(inputShape) !== JSON.stringify([null, 48, 48, 1]) ||
    JSON.stringify(outputShape) !== JSON.stringify([null, EMOTIONS.length])
  ) {
    model.dispose();
    invalid(
      topologyPath,
      `shape ${JSON.stringify(inputShape)} -> ${JSON.stringify(outputShape)} is not [N,48,48,1] -> [N,7]`,
    );
  }

  const onnxPath = join(dir, MODEL_FILES.onnx);
  if (metadata.onnxSha256 && (await exists(onnxPath))) {
    const onnxHash = sha256(await readBytes(onnxPath));
    if (onnxHash !== metadata.onnxSha256) {
      model.dispose();
      invalid(onnxPath, `sha256 ${onnxHash.slice(0, 12)}… does not match metadata.json`);
    }
    return { model, metadata, onnxPath };
  }
  return { model, metadata };
}
