import { AppError } from "@moodlens/shared";
import { tf } from "@moodlens/model";
import type { NativeNetwork, NativeParamInfo } from "./addon";

/**
 * Moves a training's state between the tfjs model/optimizer (what checkpoints, ONNX export and the served model
 * use) and the native engine. Both hold weights in tfjs' order and layout, so every transfer is a copy.
 */

/** The tfjs optimizer's internals we exchange (public in behaviour, private in tfjs' typings). */
interface OptimizerInternals {
  iterations_?: number;
  accBeta1?: tf.Variable;
  accBeta2?: tf.Variable;
  accumulatedFirstMoment?: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment?: { originalName: string; variable: tf.Variable }[];
  accumulations?: { originalName: string; variable: tf.Variable }[];
}

/** Checks that the native parameters are the model's weights, same names, order and shapes. */
export function checkSameLayout(model: tf.LayersModel, params: NativeParamInfo[]): void {
  const weights = model.weights;
  const problem =
    weights.length !== params.length
      ? `the model has ${weights.length} weights, the native network ${params.length}`
      : weights
          .map((weight, i) => {
            const native = params[i]!;
            if (
              weight.originalName !== native.name ||
              weight.shape.join("x") !== native.shape.join("x") ||
              weight.trainable !== native.trainable
            ) {
              return `weight ${i}: tfjs ${weight.originalName} [${weight.shape}] vs native ${native.name} [${native.shape}]`;
            }
            return undefined;
          })
          .find((message) => message !== undefined);
  if (problem)
    throw new AppError("CONFIG_INVALID", `native engine: network layout differs from tfjs (${problem})`);
}

const isAdam = (optimizer: tf.Optimizer) =>
  (optimizer as unknown as OptimizerInternals).accBeta1 !== undefined;

/** tfjs model + optimizer → native (start of an epoch, after a resume or --init-from). */
export function loadIntoNative(network: NativeNetwork, model: tf.LayersModel, optimizer: tf.Optimizer): void {
  model.weights.forEach((weight, i) => network.write("value", i, weight.read().dataSync() as Float32Array));
  const internals = optimizer as unknown as OptimizerInternals;
  const trainableIndices = model.weights.flatMap((weight, i) => (weight.trainable ? [i] : []));
  const firsts = isAdam(optimizer) ? internals.accumulatedFirstMoment : internals.accumulations;
  const seconds = isAdam(optimizer) ? internals.accumulatedSecondMoment : undefined;
  trainableIndices.forEach((index, k) => {
    const size = model.weights[index]!.read().size;
    const first = firsts?.[k]?.variable;
    const second = seconds?.[k]?.variable;
    network.write("m", index, first ? (first.dataSync() as Float32Array) : new Float32Array(size));
    network.write("v", index, second ? (second.dataSync() as Float32Array) : new Float32Array(size));
  });
  network.setScalars({
    accBeta1: internals.accBeta1 ? internals.accBeta1.dataSync()[0]! : 0,
    accBeta2: internals.accBeta2 ? internals.accBeta2.dataSync()[0]! : 0,
    iterations: internals.iterations_ ?? 0,
  });
}

/** native → tfjs model + optimizer (end of an epoch: before validation, checkpoint and export). */
export async function storeFromNative(
  network: NativeNetwork,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
): Promise<void> {
  model.weights.forEach((weight, i) => {
    const values = tf.tensor(network.read("value", i), weight.shape as number[]);
    weight.write(values);
    values.dispose();
  });
  const internals = optimizer as unknown as OptimizerInternals;
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const trainableIndices = model.weights.flatMap((weight, i) => (weight.trainable ? [i] : []));
  const scalars = network.getScalars();
  const adam = isAdam(optimizer);
  const existing = adam ? internals.accumulatedFirstMoment : internals.accumulations;
  if (existing && existing.length === variables.length) {
    trainableIndices.forEach((index, k) => {
      assign(existing[k]!.variable, network.read("m", index));
      if (adam) assign(internals.accumulatedSecondMoment![k]!.variable, network.read("v", index));
    });
    internals.iterations_ = scalars.iterations;
  } else {
    // A fresh tfjs optimizer creates its slots lazily: setWeights creates them (tfjs' order: iter, m..., v...).
    const named = (suffix: string, kind: "m" | "v") =>
      trainableIndices.map((index, k) => ({
        name: `${variables[k]!.name}/${suffix}`,
        tensor: tf.tensor(network.read(kind, index), model.weights[index]!.shape as number[]),
      }));
    const slots = adam ? [...named("m", "m"), ...named("v", "v")] : named("momentum", "m");
    const iter = tf.scalar(scalars.iterations, "int32");
    await optimizer.setWeights([{ name: "iter", tensor: iter }, ...slots]);
    tf.dispose([iter, ...slots.map((slot) => slot.tensor)]);
  }
  // Adam's bias corrections continue exactly from the native powers (setWeights would recompute them).
  if (adam) {
    assign(internals.accBeta1!, new Float32Array([scalars.accBeta1]));
    assign(internals.accBeta2!, new Float32Array([scalars.accBeta2]));
  }
}

function assign(variable: tf.Variable, values: Float32Array): void {
  const tensor = tf.tensor(values, variable.shape);
  variable.assign(tensor);
  tensor.dispose();
}
