import { existsSync, readFileSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { basename, join } from "node:path";
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
  /** Largest weights file; bigger weights are split (default WEIGHT_SHARD_BYTES). */
  shardBytes?: number;
}

/**
 * Weights above this size are stored as numbered shards, so that every file of a model (an ensemble's weights
 * among them) stays under the repository's 20 MB per-file limit and can be committed with its run.
 */
export const WEIGHT_SHARD_BYTES = 16 * 1024 * 1024;

/** `<stem>.bin` when one file holds `byteLength` bytes, else `<stem>-1of3.bin`, `<stem>-2of3.bin`, ... */
export function shardFileNames(stem: string, byteLength: number, shardBytes = WEIGHT_SHARD_BYTES): string[] {
  const count = Math.max(1, Math.ceil(byteLength / shardBytes));
  if (count === 1) return [`${stem}.bin`];
  return Array.from({ length: count }, (_, index) => `${stem}-${index + 1}of${count}.bin`);
}

/** `weights.bin` when one file holds them, else `weights-1of3.bin`, `weights-2of3.bin`, ... */
export const weightShardNames = (byteLength: number, shardBytes = WEIGHT_SHARD_BYTES): string[] =>
  shardFileNames(MODEL_FILES.weights.replace(/\.bin$/, ""), byteLength, shardBytes);

const WEIGHT_FILE = /^weights(-\d+of\d+)?\.bin$/;

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
  const shardBytes = options.shardBytes ?? WEIGHT_SHARD_BYTES;
  const shardNames = weightShardNames(weights.byteLength, shardBytes);
  const modelJson = {
    format: "layers-model",
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: null,
    modelTopology: topology,
    weightsManifest: [{ paths: shardNames, weights: weightSpecs }],
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
  for (const [index, name] of shardNames.entries()) {
    await writeFileAtomic(join(dir, name), weights.subarray(index * shardBytes, (index + 1) * shardBytes));
  }
  await writeFileAtomic(join(dir, MODEL_FILES.topology), JSON.stringify(modelJson));
  if (options.onnx) await writeFileAtomic(join(dir, MODEL_FILES.onnx), options.onnx);
  await writeFileAtomic(join(dir, MODEL_FILES.metadata), `${JSON.stringify(metadata, null, 2)}\n`);
  // A model saved over an older one (an ensemble written into models/default) leaves no stale weights file behind.
  for (const name of await readdir(dir)) {
    if (WEIGHT_FILE.test(name) && !shardNames.includes(name)) await rm(join(dir, name), { force: true });
  }
  return metadata;
}

function invalid(file: string, problem: string, cause?: unknown): never {
  throw new AppError("MODEL_INVALID", `${file}: ${problem}`, {
    hint: "re-export the model with the trainer, or restore the model directory from version control",
    details: { file },
    ...(cause === undefined ? {} : { cause }),
  });
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as unknown;
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
  return validateMetadata(readJson(path), path);
}

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/**
 * model.json and the weights its manifest names (one file or shards, in order), joined into one buffer. Synchronous
 * so that the trainer can fingerprint a teacher while it parses its command line.
 */
function readModelFiles(dir: string): { modelJson: ModelJson; weights: Uint8Array } {
  const topologyPath = join(dir, MODEL_FILES.topology);
  if (!existsSync(topologyPath)) invalid(topologyPath, "is missing");
  const modelJson = readJson(topologyPath) as Partial<ModelJson>;
  if (!modelJson.modelTopology || !Array.isArray(modelJson.weightsManifest)) {
    invalid(topologyPath, "has no modelTopology/weightsManifest");
  }
  const paths = modelJson.weightsManifest.flatMap((group) => group.paths ?? []);
  // Only plain file names next to model.json: a manifest never reaches outside the model's folder.
  const stray = paths.find(
    (path) => typeof path !== "string" || basename(path) !== path || !WEIGHT_FILE.test(path),
  );
  if (stray !== undefined || paths.length === 0)
    invalid(topologyPath, `names no valid weights files (${String(stray)})`);
  const parts = paths.map((path) => {
    const full = join(dir, path);
    if (!existsSync(full)) invalid(full, "is missing");
    return readFileSync(full);
  });
  return { modelJson: modelJson as ModelJson, weights: new Uint8Array(Buffer.concat(parts)) };
}

/** sha256 of a saved model's weights (all shards), as its metadata.json records it. */
export function modelWeightsDigest(dir: string): string {
  return sha256(readModelFiles(dir).weights);
}

/**
 * Loads a saved model and refuses anything that does not match its metadata: weights hash, label order,
 * input/output shapes. A missing directory is MODEL_NOT_TRAINED; everything else MODEL_INVALID.
 */
export async function loadModelArtifacts(dir: string): Promise<LoadedModel> {
  const metadata = await readModelMetadata(dir);
  const topologyPath = join(dir, MODEL_FILES.topology);
  const { modelJson, weights } = readModelFiles(dir);
  const actualHash = sha256(weights);
  if (actualHash !== metadata.weightsSha256) {
    const files = modelJson.weightsManifest.flatMap((group) => group.paths);
    invalid(
      join(dir, files[0]!),
      `sha256 ${actualHash.slice(0, 12)}…${files.length > 1 ? ` (of all ${files.length} weights files)` : ""} does not match metadata.json (${metadata.weightsSha256.slice(0, 12)}…)`,
    );
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
