import { join } from "node:path";
import { AppError } from "@moodlens/shared";
import { tf } from "../tf";
import { exists, readBytes, sha256, toArrayBuffer, writeFileAtomic } from "./files";

export const OPTIMIZER_FILES = { state: "optimizer.json", weights: "optimizer.bin" } as const;

interface OptimizerStateFile {
  formatVersion: 1;
  optimizer: string;
  config: tf.serialization.ConfigDict;
  specs: tf.io.WeightsManifestEntry[];
  weightsSha256: string;
  /** Exact values of scalar accumulators getWeights() omits (Adam's beta powers), keyed by field name. */
  scalars: Record<string, number>;
}

/**
 * Adam/Adamax keep beta1^t and beta2^t as running products. setWeights() recomputes them with pow(), which
 * differs in the last bit from the running product, so a resumed run would drift; we carry them over exactly.
 */
const HIDDEN_SCALARS = ["accBeta1", "accBeta2"] as const;
type WithHiddenScalars = Partial<Record<(typeof HIDDEN_SCALARS)[number], tf.Variable>>;

function readHiddenScalars(optimizer: tf.Optimizer): Record<string, number> {
  const scalars: Record<string, number> = {};
  for (const field of HIDDEN_SCALARS) {
    const variable = (optimizer as unknown as WithHiddenScalars)[field];
    if (variable instanceof tf.Variable) scalars[field] = variable.dataSync()[0]!;
  }
  return scalars;
}

function writeHiddenScalars(optimizer: tf.Optimizer, scalars: Record<string, number>): void {
  for (const field of HIDDEN_SCALARS) {
    const variable = (optimizer as unknown as WithHiddenScalars)[field];
    const value = scalars[field];
    if (variable instanceof tf.Variable && value !== undefined) {
      tf.tidy(() => variable.assign(tf.scalar(value)));
    }
  }
}

/**
 * Saves an optimizer's slots (Adam: iteration count + first/second moments) next to a checkpoint, so a resumed
 * run continues with exactly the update it would have made. Same layout idea as the model: json + bin.
 */
export async function saveOptimizerState(optimizer: tf.Optimizer, dir: string): Promise<void> {
  const weights = await optimizer.getWeights();
  const { data, specs } = await tf.io.encodeWeights(weights);
  const bytes = new Uint8Array(tf.io.CompositeArrayBuffer.join(data));
  const state: OptimizerStateFile = {
    formatVersion: 1,
    optimizer: optimizer.getClassName(),
    config: optimizer.getConfig(),
    specs,
    weightsSha256: sha256(bytes),
    scalars: readHiddenScalars(optimizer),
  };
  // getWeights() returns a fresh iteration-count scalar; the moment tensors belong to the optimizer.
  const iterations = weights.find((w) => w.name === "iter");
  iterations?.tensor.dispose();
  await writeFileAtomic(join(dir, OPTIMIZER_FILES.weights), bytes);
  await writeFileAtomic(join(dir, OPTIMIZER_FILES.state), `${JSON.stringify(state)}\n`);
}

/** Restores what saveOptimizerState wrote into a freshly created optimizer of the same class. */
export async function loadOptimizerState(optimizer: tf.Optimizer, dir: string): Promise<void> {
  const statePath = join(dir, OPTIMIZER_FILES.state);
  const weightsPath = join(dir, OPTIMIZER_FILES.weights);
  if (!(await exists(statePath)) || !(await exists(weightsPath))) {
    throw new AppError("NOT_FOUND", `no optimizer state in ${dir}`, { hint: "start the run from scratch" });
  }
  const state = JSON.parse(new TextDecoder().decode(await readBytes(statePath))) as OptimizerStateFile;
  const bytes = await readBytes(weightsPath);
  if (sha256(bytes) !== state.weightsSha256) {
    throw new AppError("MODEL_INVALID", `${weightsPath}: sha256 does not match ${OPTIMIZER_FILES.state}`);
  }
  if (state.optimizer !== optimizer.getClassName()) {
    throw new AppError("MODEL_INVALID", `${statePath}: saved for ${state.optimizer}, not ${optimizer.getClassName()}`);
  }
  const decoded = tf.io.decodeWeights(toArrayBuffer(bytes), state.specs);
  // setWeights expects the saved order (iteration count first, then the slots in variable order).
  const named = state.specs.map((spec) => ({ name: spec.name, tensor: decoded[spec.name]! }));
  await optimizer.setWeights(named);
  writeHiddenScalars(optimizer, state.scalars ?? {});
  tf.dispose(Object.values(decoded));
}
