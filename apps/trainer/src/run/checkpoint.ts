import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AppError } from "@moodlens/shared";
import { shardFileNames, tf, WEIGHT_SHARD_BYTES } from "@moodlens/model";
import { fsyncDirectory, writeJsonAtomic } from "../util/atomic";
import type { TrainerState } from "../training/state";
import { readCheckpointPointer, type CheckpointPointer } from "./run-files";

export { readCheckpointPointer, type CheckpointPointer };

/**
 * A run's checkpoints. Layout inside the run folder:
 *   checkpoints/epoch-0007/{weights.bin,weights.json,optimizer.bin,optimizer.json}   complete, never modified
 *   best/epoch-0005/…                                                                    weights of the best epoch
 *   state.json                                                                          THE commit point
 * An epoch's files are written first into their own new folder; then state.json (written to a temporary file
 * and renamed) switches to it. A process killed at any instant leaves either the previous state.json (pointing at
 * complete files) or the new one: never a torn checkpoint. Older epoch folders are pruned after the switch.
 * A .bin above WEIGHT_SHARD_BYTES is written as `<stem>-1of2.bin`, `<stem>-2of2.bin` (the model files' rule), so an
 * unfinished run's checkpoint (Adam's moments are twice the weights) fits the repository's 20 MB per-file limit and
 * can be committed to resume in a later sitting.
 */

export interface TensorEntry {
  name: string;
  shape: number[];
  dtype: "float32" | "int32";
  /** Offset in bytes into the .bin file. */
  offset: number;
}

const STATE_FILE = "state.json";

/** Where a checkpoint's tensors are written: test runs pass a small shard size to exercise the split. */
export interface CheckpointFileOptions {
  shardBytes?: number;
}

/** The files holding `<stem>`'s bytes, in order: `<stem>.bin`, or all its shards; throws when one is missing. */
export function tensorFiles(directory: string, stem: string): string[] {
  const single = join(directory, `${stem}.bin`);
  if (existsSync(single)) return [single];
  // Any shard's name says how many there are; the names of all of them follow from that (shardFileNames' rule).
  const count = (existsSync(directory) ? readdirSync(directory) : [])
    .map((name) => new RegExp(`^${stem}-\\d+of(\\d+)\\.bin$`).exec(name)?.[1])
    .find((found) => found !== undefined);
  const files = Array.from({ length: Number(count ?? 0) }, (_, i) =>
    join(directory, `${stem}-${i + 1}of${count}.bin`),
  );
  if (files.length === 0 || !files.every((file) => existsSync(file)))
    throw new AppError("NOT_FOUND", `${directory}: ${stem}.bin (or all of its shards) is missing`, {
      hint: "restore the checkpoint folder as it was written (every .bin file)",
    });
  return files;
}

function writeTensors(
  directory: string,
  stem: string,
  tensors: { name: string; tensor: tf.Tensor }[],
  { shardBytes = WEIGHT_SHARD_BYTES }: CheckpointFileOptions = {},
): void {
  const entries: TensorEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const { name, tensor } of tensors) {
    const values = tensor.dataSync();
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();
    entries.push({
      name,
      shape: tensor.shape,
      dtype: tensor.dtype === "int32" ? "int32" : "float32",
      offset,
    });
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  const all = new Uint8Array(offset);
  let position = 0;
  for (const chunk of chunks) {
    all.set(chunk, position);
    position += chunk.byteLength;
  }
  for (const [index, name] of shardFileNames(stem, all.byteLength, shardBytes).entries())
    writeFileSync(join(directory, name), all.subarray(index * shardBytes, (index + 1) * shardBytes));
  writeFileSync(join(directory, `${stem}.json`), JSON.stringify(entries));
}

function readTensors(directory: string, stem: string): { name: string; tensor: tf.Tensor }[] {
  const entries = JSON.parse(readFileSync(join(directory, `${stem}.json`), "utf8")) as TensorEntry[];
  const buffer = Buffer.concat(tensorFiles(directory, stem).map((file) => readFileSync(file)));
  return entries.map((entry) => {
    const size = entry.shape.reduce((a, b) => a * b, 1);
    const start = buffer.byteOffset + entry.offset;
    const copy = buffer.buffer.slice(start, start + size * 4);
    const values = entry.dtype === "int32" ? new Int32Array(copy) : new Float32Array(copy);
    return { name: entry.name, tensor: tf.tensor(values, entry.shape, entry.dtype) };
  });
}

/** Model weights (trainable and batch-norm statistics) in the model's own order. */
export function saveModelWeights(
  directory: string,
  model: tf.LayersModel,
  options: CheckpointFileOptions = {},
): void {
  mkdirSync(directory, { recursive: true });
  writeTensors(
    directory,
    "weights",
    model.weights.map((weight) => ({ name: weight.originalName, tensor: weight.read() })),
    options,
  );
}

export function loadModelWeights(directory: string, model: tf.LayersModel): void {
  const tensors = readTensors(directory, "weights");
  if (tensors.length !== model.weights.length) {
    tf.dispose(tensors.map((t) => t.tensor));
    throw new AppError(
      "MODEL_INVALID",
      `checkpoint ${directory} has ${tensors.length} weights, the network ${model.weights.length}`,
      {
        hint: "the run's network config does not match this checkpoint",
      },
    );
  }
  model.weights.forEach((weight, i) => {
    const saved = tensors[i]!;
    if (saved.name !== weight.originalName || saved.tensor.shape.join("x") !== weight.shape.join("x")) {
      throw new AppError(
        "MODEL_INVALID",
        `checkpoint weight ${i} is ${saved.name} ${saved.tensor.shape}, expected ${weight.originalName} ${weight.shape}`,
      );
    }
    weight.write(saved.tensor);
  });
  tf.dispose(tensors.map((t) => t.tensor));
}

async function saveOptimizer(
  directory: string,
  optimizer: tf.Optimizer,
  options: CheckpointFileOptions,
): Promise<CheckpointPointer["optimizerExtras"]> {
  const weights = await optimizer.getWeights();
  writeTensors(directory, "optimizer", weights, options);
  tf.dispose(weights.filter((w) => w.name === "iter").map((w) => w.tensor));
  const adam = optimizer as unknown as { accBeta1?: tf.Scalar; accBeta2?: tf.Scalar };
  return adam.accBeta1 && adam.accBeta2
    ? { accBeta1: adam.accBeta1.dataSync()[0]!, accBeta2: adam.accBeta2.dataSync()[0]! }
    : {};
}

async function loadOptimizer(
  directory: string,
  optimizer: tf.Optimizer,
  extras: CheckpointPointer["optimizerExtras"],
): Promise<void> {
  const weights = readTensors(directory, "optimizer");
  await optimizer.setWeights(weights);
  // setWeights copies into new variables (tensor.variable()), so the loaded tensors can go.
  tf.dispose(weights.map((w) => w.tensor));
  const adam = optimizer as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
  if (extras.accBeta1 !== undefined && adam.accBeta1) adam.accBeta1.assign(tf.scalar(extras.accBeta1));
  if (extras.accBeta2 !== undefined && adam.accBeta2) adam.accBeta2.assign(tf.scalar(extras.accBeta2));
}

const epochFolder = (epoch: number) => `epoch-${String(epoch).padStart(4, "0")}`;

/** Saves one epoch boundary and commits it by renaming state.json; prunes superseded folders. */
export async function saveCheckpoint(
  runDirectory: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  trainer: TrainerState,
  isBest: boolean,
  options: CheckpointFileOptions = {},
): Promise<CheckpointPointer> {
  const previous = readCheckpointPointer(runDirectory);
  const checkpoint = join("checkpoints", epochFolder(trainer.epoch));
  const checkpointPath = join(runDirectory, checkpoint);
  rmSync(checkpointPath, { recursive: true, force: true }); // leftovers of a kill before the commit
  mkdirSync(checkpointPath, { recursive: true });
  saveModelWeights(checkpointPath, model, options);
  const optimizerExtras = await saveOptimizer(checkpointPath, optimizer, options);
  fsyncDirectory(checkpointPath);
  let best = previous?.best ?? null;
  if (isBest) {
    best = join("best", epochFolder(trainer.epoch));
    const bestPath = join(runDirectory, best);
    rmSync(bestPath, { recursive: true, force: true });
    saveModelWeights(bestPath, model, options);
    fsyncDirectory(bestPath);
  }
  const pointer: CheckpointPointer = {
    format: "moodlens-checkpoint/1",
    epoch: trainer.epoch,
    checkpoint,
    best,
    trainer,
    optimizerExtras,
    savedAt: new Date().toISOString(),
  };
  writeJsonAtomic(join(runDirectory, STATE_FILE), pointer);
  prune(runDirectory, "checkpoints", checkpoint);
  if (best) prune(runDirectory, "best", best);
  return pointer;
}

function prune(runDirectory: string, folder: string, keep: string): void {
  const parent = join(runDirectory, folder);
  if (!existsSync(parent)) return;
  for (const name of readdirSync(parent)) {
    if (join(folder, name) !== keep) rmSync(join(parent, name), { recursive: true, force: true });
  }
}

/** Restores model and optimizer from the committed checkpoint. */
export async function restoreCheckpoint(
  runDirectory: string,
  pointer: CheckpointPointer,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
): Promise<void> {
  const directory = join(runDirectory, pointer.checkpoint);
  loadModelWeights(directory, model);
  await loadOptimizer(directory, optimizer, pointer.optimizerExtras);
}
