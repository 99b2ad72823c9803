import { tf } from "../tf";
import { INPUT_SIZE, NUM_CLASSES, type CompactNetworkConfig } from "./config";

/**
 * mini-Xception: two plain convs, then residual blocks of two depthwise-separable convs + max-pool, added to a
 * strided 1x1 projection of the block input; a conv to NUM_CLASSES maps and global average pooling classify.
 * ~58k parameters with the defaults: fast to train on CPU, ~66 % on FER-2013.
 */
export function buildCompactNetwork(config: CompactNetworkConfig): tf.LayersModel {
  const regularizer = () => (config.l2 > 0 ? tf.regularizers.l2({ l2: config.l2 }) : undefined);
  const conv = (filters: number, name: string, kernelSize = config.kernelSize) =>
    tf.layers.conv2d({
      filters,
      kernelSize,
      useBias: false,
      kernelInitializer: "heNormal",
      kernelRegularizer: regularizer(),
      name,
    });
  const batchNorm = (name: string) => tf.layers.batchNormalization({ name });
  const relu = (name: string) => tf.layers.reLU({ name });

  const input = tf.input({ shape: [INPUT_SIZE, INPUT_SIZE, 1], name: "face" });
  let x = input as tf.SymbolicTensor;
  for (const index of [1, 2]) {
    x = conv(config.stemFilters, `stem_conv${index}`).apply(x) as tf.SymbolicTensor;
    x = batchNorm(`stem_bn${index}`).apply(x) as tf.SymbolicTensor;
    x = relu(`stem_relu${index}`).apply(x) as tf.SymbolicTensor;
  }

  config.blockFilters.forEach((filters, blockIndex) => {
    const prefix = `block${blockIndex + 1}`;
    let residual = tf.layers
      .conv2d({
        filters,
        kernelSize: 1,
        strides: 2,
        padding: "same",
        useBias: false,
        name: `${prefix}_shortcut`,
      })
      .apply(x) as tf.SymbolicTensor;
    residual = batchNorm(`${prefix}_shortcut_bn`).apply(residual) as tf.SymbolicTensor;

    for (const index of [1, 2]) {
      x = tf.layers
        .separableConv2d({
          filters,
          kernelSize: config.kernelSize,
          padding: "same",
          useBias: false,
          depthwiseRegularizer: regularizer(),
          pointwiseRegularizer: regularizer(),
          name: `${prefix}_sepconv${index}`,
        })
        .apply(x) as tf.SymbolicTensor;
      x = batchNorm(`${prefix}_bn${index}`).apply(x) as tf.SymbolicTensor;
      if (index === 1) x = relu(`${prefix}_relu`).apply(x) as tf.SymbolicTensor;
    }
    x = tf.layers
      .maxPooling2d({ poolSize: 3, strides: 2, padding: "same", name: `${prefix}_pool` })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.add({ name: `${prefix}_add` }).apply([x, residual]) as tf.SymbolicTensor;
  });

  if (config.dropout > 0)
    x = tf.layers.dropout({ rate: config.dropout, name: "dropout" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ filters: NUM_CLASSES, kernelSize: 3, padding: "same", name: "class_maps" })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: "class_pool" }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers.softmax({ name: "probabilities" }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: "compact" });
}
