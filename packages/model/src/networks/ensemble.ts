/**
 * Several trained classifiers as one network: every member's layers are copied (renamed `m<k>_<name>`, weights
 * included) onto one shared input, each member's output layer gives its logits (the softmax moved out), their mean
 * goes through one softmax. One model.json + weights.bin, so everything that takes a model (ONNX export, int8
 * quantization, calibration, the analyzer) takes an ensemble unchanged, and what is served is what is measured.
 * Averaging logits rather than probabilities keeps a single softmax for the served calibration to act on.
 */
import { AppError } from "@moodlens/shared";
import { tf } from "../tf";

type Layer = tf.layers.Layer;

/** The name of the member `k`'s copy of a layer. */
export const memberLayerName = (member: number, name: string) => `m${member}_${name}`;

function copyMember(model: tf.LayersModel, member: number, input: tf.SymbolicTensor): tf.SymbolicTensor {
  const outputs = new Map<string, tf.SymbolicTensor>([[model.inputs[0]!.sourceLayer.name, input]]);
  const last = model.outputs[0]!.sourceLayer.name;
  for (const layer of model.layers) {
    if (layer.getClassName() === "InputLayer") continue;
    const inbound = layer.inboundNodes[0]?.inboundLayers ?? [];
    const sources = inbound.map((source) => outputs.get(source.name));
    if (sources.length === 0 || sources.some((source) => source === undefined))
      throw new AppError("MODEL_INVALID", `ensemble: cannot follow layer ${layer.name} of member ${member}`);
    const config: Record<string, unknown> = {
      ...layer.getConfig(),
      name: memberLayerName(member, layer.name),
    };
    if (layer.name === last) {
      if (config.activation !== "softmax")
        throw new AppError(
          "MODEL_INVALID",
          `ensemble: member ${member} does not end in a softmax dense layer`,
        );
      config.activation = "linear";
    }
    // A layer's constructor takes its own getConfig() (initializers and regularizers as their serialized form).
    const copy = new (layer.constructor as new (config: Record<string, unknown>) => Layer)(config);
    const output = copy.apply(
      sources.length === 1 ? sources[0]! : (sources as tf.SymbolicTensor[]),
    ) as tf.SymbolicTensor;
    copy.setWeights(layer.getWeights());
    outputs.set(layer.name, output);
  }
  return outputs.get(last)!;
}

/** One network whose output is softmax(mean of the members' logits); the members are left as they were. */
export function mergeIntoEnsemble(members: readonly tf.LayersModel[]): tf.LayersModel {
  if (members.length < 2) throw new AppError("BAD_USER_INPUT", "an ensemble needs at least two models");
  const input = tf.input({ shape: [48, 48, 1], name: "face" });
  const logits = members.map((model, member) => copyMember(model, member, input));
  const mean = tf.layers.average({ name: "ensemble_logits" }).apply(logits) as tf.SymbolicTensor;
  const probabilities = tf.layers
    .softmax({ name: "ensemble_probabilities" })
    .apply(mean) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: probabilities, name: "ensemble" });
}
