import { tf } from "../tf";
import { INPUT_SIZE, NUM_CLASSES, type DeepNetworkConfig } from "./config";

/**
 * VGG-style classifier: per block, (3x3 conv without bias -> batch norm -> ReLU) x convsPerBlock, 2x2 max-pool,
 * dropout; then flatten (or global average pooling), an optional dense layer with BN + ReLU + dropout and the
 * softmax classifier. Biases are dropped where a batch norm follows (its offset plays that role), which also
 * makes every BN foldable into the preceding layer for ONNX export.
 */
export function buildDeepNetwork(config: DeepNetworkConfig): tf.LayersModel {
  const regularizer = () => (config.l2 > 0 ? tf.regularizers.l2({ l2: config.l2 }) : undefined);
  const input = tf.input({ shape: [INPUT_SIZE, INPUT_SIZE, 1], name: "face" });
  let x = input as tf.SymbolicTensor;
  if (config.inputPool > 1) {
    const pool = config.inputPool;
    x = tf.layers
      .averagePooling2d({ poolSize: pool, strides: pool, name: "input_pool" })
      .apply(x) as tf.SymbolicTensor;
  }

  config.blockWidths.forEach((width, blockIndex) => {
    const prefix = `block${blockIndex + 1}`;
    for (let convIndex = 1; convIndex <= config.convsPerBlock; convIndex++) {
      x = tf.layers
        .conv2d({
          filters: width,
          kernelSize: 3,
          padding: "same",
          useBias: false,
          kernelInitializer: "heNormal",
          kernelRegularizer: regularizer(),
          name: `${prefix}_conv${convIndex}`,
        })
        .apply(x) as tf.SymbolicTensor;
      x = tf.layers.batchNormalization({ name: `${prefix}_bn${convIndex}` }).apply(x) as tf.SymbolicTensor;
      x = tf.layers.reLU({ name: `${prefix}_relu${convIndex}` }).apply(x) as tf.SymbolicTensor;
    }
    x = tf.layers
      .maxPooling2d({ poolSize: 2, strides: 2, name: `${prefix}_pool` })
      .apply(x) as tf.SymbolicTensor;
    if (config.blockDropout > 0) {
      x = tf.layers
        .dropout({ rate: config.blockDropout, name: `${prefix}_dropout` })
        .apply(x) as tf.SymbolicTensor;
    }
  });

  x = (
    config.head === "flatten"
      ? tf.layers.flatten({ name: "flatten" })
      : tf.layers.globalAveragePooling2d({ name: "global_pool" })
  ).apply(x) as tf.SymbolicTensor;

  if (config.denseUnits > 0) {
    x = tf.layers
      .dense({
        units: config.denseUnits,
        useBias: false,
        kernelInitializer: "heNormal",
        kernelRegularizer: regularizer(),
        name: "dense",
      })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ name: "dense_bn" }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ name: "dense_relu" }).apply(x) as tf.SymbolicTensor;
  }
  if (config.denseDropout > 0) {
    x = tf.layers.dropout({ rate: config.denseDropout, name: "dense_dropout" }).apply(x) as tf.SymbolicTensor;
  }
  const output = tf.layers
    .dense({
      units: NUM_CLASSES,
      activation: "softmax",
      kernelRegularizer: regularizer(),
      name: "probabilities",
    })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: "deep" });
}
