/**
 * tf.LayersModel -> ONNX (opset 13), for serving with onnxruntime (7-12x faster than tfjs-wasm here).
 *
 * Layout: tfjs is NHWC, ONNX convolutions are NCHW. The graph transposes the input once, runs NCHW, and
 * transposes back to NHWC before a Flatten so the dense weights keep Keras' (h, w, c) order.
 * Batch norms that directly follow a linear conv/dense with no other consumer are folded into its weights
 * (the trained model then has no BatchNormalization op at all); others become ONNX BatchNormalization.
 */
import { AppError } from "@moodlens/shared";
import { isIdentityCalibration, validateCalibration, type ServedCalibration } from "../calibration";
import { tf } from "../tf";
import type { OnnxQuantization } from "../artifacts/metadata";
import { convKernelToOnnx, depthwiseKernelToOnnx } from "./kernel-layout";
import { quantizeGraph } from "./quantize";
import {
  encodeModel,
  type AttributeValue,
  type OnnxGraph,
  type OnnxInitializer,
  type OnnxNode,
} from "./onnx-proto";

export const ONNX_INPUT_NAME = "face";
export const ONNX_OUTPUT_NAME = "probabilities";

/**
 * The model's served calibration, applied inside the graph before the output softmax: logits / temperature +
 * classBias (default: none). Serving finds out which calibration a graph holds (analyzer/load-classifier.ts).
 */
export type ExportOnnxOptions = Partial<ServedCalibration> & {
  /** Export the int8 graph (quantize.ts) with these activation ranges, as metadata's onnxQuantization holds them. */
  quantization?: Pick<OnnxQuantization, "activationRanges">;
};

type Layer = tf.layers.Layer;
type Config = Record<string, unknown>;

/** A conv or dense node whose weights a following batch norm may still rescale. */
interface LinearOp {
  weights: Float32Array;
  bias: Float32Array;
  /** Elements per output channel are contiguous (conv: [Co, ...]) or strided (dense: [K, U]). */
  layout: "channels-first" | "columns";
  outputs: number;
}

interface Value {
  name: string;
  rank: number;
  /** Set when this value is the raw output of a linear op with linear activation (a BN may fold into it). */
  linear?: LinearOp;
}

function unsupported(layer: Layer, why: string): never {
  throw new AppError("MODEL_INVALID", `ONNX export: layer ${layer.name} (${layer.getClassName()}) ${why}`);
}

function weightOf(layer: Layer, suffix: string): Float32Array | undefined {
  const variable = layer.weights.find((w) => w.originalName.split("/").pop() === suffix);
  return variable ? Float32Array.from(variable.read().dataSync()) : undefined;
}

function requireWeight(layer: Layer, suffix: string): Float32Array {
  return weightOf(layer, suffix) ?? unsupported(layer, `has no ${suffix} weight`);
}

const pair = (value: unknown): [number, number] =>
  Array.isArray(value)
    ? [value[0] as number, (value[1] ?? value[0]) as number]
    : [value as number, value as number];

/** Explicit ONNX pads [top, left, bottom, right] reproducing TF "same"/"valid" for a static input size. */
function padsFor(
  padding: unknown,
  input: [number, number],
  kernel: [number, number],
  strides: [number, number],
): number[] {
  if (padding === "valid") return [0, 0, 0, 0];
  const begin: number[] = [];
  const end: number[] = [];
  for (const axis of [0, 1] as const) {
    const out = Math.ceil(input[axis] / strides[axis]);
    const total = Math.max((out - 1) * strides[axis] + kernel[axis] - input[axis], 0);
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
  }
  return [...begin, ...end];
}

class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxInitializer[] = [];

  constant(name: string, dims: number[], data: Float32Array | BigInt64Array): string {
    this.initializers.push({ name, dims, data });
    return name;
  }

  node(
    opType: string,
    inputs: string[],
    output: string,
    attributes?: Record<string, AttributeValue>,
  ): string {
    this.nodes.push({
      opType,
      inputs,
      outputs: [output],
      name: output,
      ...(attributes ? { attributes } : {}),
    });
    return output;
  }
}

/** What each layer's conversion sees: the graph so far, the model-wide facts, and this layer's inputs. */
interface LayerStep {
  g: GraphBuilder;
  layer: Layer;
  /** Namespaced tensor name ("layer/<name>") so a layer called e.g. "probabilities" cannot clash with the output. */
  id: string;
  config: Config;
  className: string;
  inputs: Value[];
  input: Value;
  /** The layer's NHWC input shape (-1 for the batch). */
  shape: number[];
  /** Layers read by more than one other layer (a batch norm after them cannot fold into their weights). */
  consumers: Map<string, number>;
  isOutput: boolean;
  calibration: ServedCalibration;
}

/**
 * Converts a tf.LayersModel to ONNX bytes: count each layer's readers (for folding), convert layer by layer in
 * topological order (model.layers), then name the output and encode the graph.
 */
export function exportOnnx(model: tf.LayersModel, options: ExportOnnxOptions = {}): Uint8Array {
  const graph = buildOnnxGraph(model, options);
  const served = options.quantization
    ? quantizeGraph(graph, new Map(Object.entries(options.quantization.activationRanges)))
    : graph;
  return encodeModel(served, `tfjs-layers ${tf.version_layers}`);
}

/** The float ONNX graph of `exportOnnx` before encoding (quantize.ts rewrites it into the int8 one). */
export function buildOnnxGraph(model: tf.LayersModel, options: ExportOnnxOptions = {}): OnnxGraph {
  const calibration: ServedCalibration = {
    temperature: options.temperature ?? 1,
    ...(options.classBias ? { classBias: [...options.classBias] } : {}),
  };
  validateCalibration(calibration, model.outputs[0]!.shape.at(-1) as number);
  const g = new GraphBuilder();
  const values = new Map<string, Value>();
  const consumers = countConsumers(model);
  const outputLayerName = model.outputs[0]!.sourceLayer.name;
  for (const layer of model.layers) {
    const id = `layer/${layer.name}`;
    const config = layer.getConfig() as Config;
    const className = layer.getClassName();
    if (className === "InputLayer") {
      values.set(layer.name, {
        name: g.node("Transpose", [ONNX_INPUT_NAME], `${id}.nchw`, { perm: [0, 3, 1, 2] }),
        rank: 4,
      });
      continue;
    }
    if (config.dataFormat !== undefined && config.dataFormat !== "channelsLast")
      unsupported(layer, "is not channelsLast");
    const inputs = inputsOf(layer, values);
    const convert = Object.hasOwn(LAYER_CONVERSIONS, className)
      ? LAYER_CONVERSIONS[className]!
      : unsupported(layer, "has no ONNX conversion");
    const step: LayerStep = {
      g,
      layer,
      id,
      config,
      className,
      inputs,
      input: inputs[0]!,
      shape: inputShapeOf(layer),
      consumers,
      isOutput: layer.name === outputLayerName,
      calibration,
    };
    values.set(layer.name, convert(step));
  }
  const calibrated = g.nodes.some((node) => /\.(scaled|biased)_logits$/.test(node.name));
  if (!isIdentityCalibration(calibration) && !calibrated)
    throw new AppError("MODEL_INVALID", "ONNX export: the model does not end in a softmax to calibrate");
  g.node("Identity", [values.get(outputLayerName)!.name], ONNX_OUTPUT_NAME);
  return graphOf(model, g);
}

function countConsumers(model: tf.LayersModel): Map<string, number> {
  const consumers = new Map<string, number>();
  for (const layer of model.layers) {
    for (const inbound of layer.inboundNodes[0]?.inboundLayers ?? [])
      consumers.set(inbound.name, (consumers.get(inbound.name) ?? 0) + 1);
  }
  return consumers;
}

const inputsOf = (layer: Layer, values: Map<string, Value>): Value[] =>
  (layer.inboundNodes[0]?.inboundLayers ?? []).map(
    (inbound) =>
      values.get(inbound.name) ?? unsupported(layer, `reads ${inbound.name}, which was not converted`),
  );

function inputShapeOf(layer: Layer): number[] {
  const shapes = layer.inboundNodes[0]?.inputShapes;
  const shape = (Array.isArray(shapes?.[0]) ? shapes[0] : shapes) as (number | null)[];
  return shape.map((d) => d ?? -1);
}

function graphOf(model: tf.LayersModel, g: GraphBuilder): OnnxGraph {
  const outputShape = model.outputs[0]!.shape.map((d, i) => (i === 0 ? "batch" : (d as number)));
  const inputShape = model.inputs[0]!.shape.map((d, i) => (i === 0 ? "batch" : (d as number)));
  return {
    name: model.name,
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [{ name: ONNX_INPUT_NAME, shape: inputShape }],
    outputs: [{ name: ONNX_OUTPUT_NAME, shape: outputShape }],
  };
}

/** Emits a conv (NCHW) and returns its weights, which a following batch norm may fold into. */
function emitConv(
  g: GraphBuilder,
  input: string,
  name: string,
  kernel: Float32Array,
  dims: [number, number, number, number],
  bias: Float32Array,
  attributes: Record<string, AttributeValue>,
): LinearOp {
  const weightsName = g.constant(`${name}.weight`, dims, kernel);
  const biasName = g.constant(`${name}.bias`, [dims[0]], bias);
  g.node("Conv", [input, weightsName, biasName], name, attributes);
  return { weights: kernel, bias, layout: "channels-first", outputs: dims[0] };
}

/** Softmax over channels; on the model's output, of logits / temperature + classBias (the served calibration). */
function softmax(step: LayerStep, value: Value, name: string): string {
  let logits = value.name;
  const { temperature, classBias } = step.calibration;
  if (step.isOutput && !isIdentityCalibration(step.calibration)) {
    if (value.rank !== 2) unsupported(step.layer, "calibrates an output that is not [batch, classes]");
    if (temperature !== 1) {
      const inverse = step.g.constant(`${name}.inverse_temperature`, [], Float32Array.of(1 / temperature));
      logits = step.g.node("Mul", [logits, inverse], `${name}.scaled_logits`);
    }
    if (classBias?.some((offset) => offset !== 0)) {
      const bias = step.g.constant(`${name}.class_bias`, [classBias.length], Float32Array.from(classBias));
      logits = step.g.node("Add", [logits, bias], `${name}.biased_logits`);
    }
  }
  return step.g.node("Softmax", [logits], name, { axis: value.rank === 4 ? 1 : -1 });
}

function activate(step: LayerStep, value: Value, activation: unknown): Value {
  const name = typeof activation === "string" ? activation : "linear";
  const { g } = step;
  const rank = value.rank;
  switch (name) {
    case "linear":
      return value;
    case "relu":
      return { name: g.node("Relu", [value.name], `${value.name}.relu`), rank };
    case "sigmoid":
      return { name: g.node("Sigmoid", [value.name], `${value.name}.sigmoid`), rank };
    case "tanh":
      return { name: g.node("Tanh", [value.name], `${value.name}.tanh`), rank };
    case "softmax":
      return { name: softmax(step, value, `${value.name}.softmax`), rank };
    default:
      return unsupported(step.layer, `uses activation "${name}"`);
  }
}

/** Conv2D, DepthwiseConv2D and SeparableConv2D (depthwise then pointwise) as ONNX Conv (grouped for depthwise). */
function convertConvolution(step: LayerStep): Value {
  const { g, layer, id, config, className, input, shape } = step;
  const kernelSize = pair(config.kernelSize);
  const strides = pair(config.strides);
  const dilations = pair(config.dilationRate ?? 1);
  if (dilations[0] !== 1 || dilations[1] !== 1) unsupported(layer, "is dilated");
  const pads = padsFor(config.padding, [shape[1]!, shape[2]!], kernelSize, strides);
  const base = { kernel_shape: kernelSize, strides, pads, dilations: [1, 1] };
  const channels = shape[3]!;
  let linear: LinearOp;
  if (className === "Conv2D") {
    const filters = config.filters as number;
    const kernel = convKernelToOnnx(requireWeight(layer, "kernel"), [...kernelSize, channels, filters]);
    const bias = weightOf(layer, "bias") ?? new Float32Array(filters);
    linear = emitConv(g, input.name, id, kernel, [filters, channels, ...kernelSize], bias, base);
  } else {
    const multiplier = (config.depthMultiplier as number | undefined) ?? 1;
    const depthOut = channels * multiplier;
    const depthKernel = depthwiseKernelToOnnx(requireWeight(layer, "depthwise_kernel"), [
      ...kernelSize,
      channels,
      multiplier,
    ]);
    if (className === "DepthwiseConv2D") {
      const bias = weightOf(layer, "bias") ?? new Float32Array(depthOut);
      linear = emitConv(g, input.name, id, depthKernel, [depthOut, 1, ...kernelSize], bias, {
        ...base,
        group: channels,
      });
    } else {
      const filters = config.filters as number;
      emitConv(
        g,
        input.name,
        `${id}.depthwise`,
        depthKernel,
        [depthOut, 1, ...kernelSize],
        new Float32Array(depthOut),
        { ...base, group: channels },
      );
      const pointwise = convKernelToOnnx(requireWeight(layer, "pointwise_kernel"), [1, 1, depthOut, filters]);
      const bias = weightOf(layer, "bias") ?? new Float32Array(filters);
      linear = emitConv(g, `${id}.depthwise`, id, pointwise, [filters, depthOut, 1, 1], bias, {
        kernel_shape: [1, 1],
        strides: [1, 1],
        pads: [0, 0, 0, 0],
      });
    }
  }
  const raw: Value = { name: id, rank: 4, linear };
  return config.activation === "linear" || config.activation === undefined
    ? raw
    : activate(step, { name: id, rank: 4 }, config.activation);
}

function convertDense(step: LayerStep): Value {
  const { g, layer, id, config, input, shape } = step;
  if (input.rank !== 2) unsupported(layer, "is applied to a non-flat tensor");
  const units = config.units as number;
  const kernel = requireWeight(layer, "kernel");
  const bias = weightOf(layer, "bias") ?? new Float32Array(units);
  const weightsName = g.constant(`${id}.weight`, [shape[1]!, units], kernel);
  const biasName = g.constant(`${id}.bias`, [units], bias);
  g.node("Gemm", [input.name, weightsName, biasName], id);
  const raw: Value = {
    name: id,
    rank: 2,
    linear: { weights: kernel, bias, layout: "columns", outputs: units },
  };
  return config.activation === "linear" ? raw : activate(step, { name: id, rank: 2 }, config.activation);
}

/** Folded into the preceding linear op when it is its only reader; else an ONNX BatchNormalization. */
function convertBatchNormalization({ g, layer, id, config, input, consumers }: LayerStep): Value {
  const axis = config.axis as number;
  if (axis !== -1 && axis !== input.rank - 1) unsupported(layer, "normalises an axis other than channels");
  const epsilon = config.epsilon as number;
  const mean = requireWeight(layer, "moving_mean");
  const variance = requireWeight(layer, "moving_variance");
  const gamma = weightOf(layer, "gamma") ?? new Float32Array(mean.length).fill(1);
  const beta = weightOf(layer, "beta") ?? new Float32Array(mean.length);
  const producer = layer.inboundNodes[0]!.inboundLayers[0]!;
  if (input.linear && consumers.get(producer.name) === 1) {
    // y = gamma * (Wx + b - mean) / sqrt(var + eps) + beta  ==  (W*s) x + (b - mean)*s + beta
    const { weights, bias, layout, outputs } = input.linear;
    const perChannel = weights.length / outputs;
    for (let c = 0; c < outputs; c++) {
      const s = gamma[c]! / Math.sqrt(variance[c]! + epsilon);
      if (layout === "channels-first") for (let i = 0; i < perChannel; i++) weights[c * perChannel + i]! *= s;
      else for (let k = 0; k < perChannel; k++) weights[k * outputs + c]! *= s;
      bias[c] = (bias[c]! - mean[c]!) * s + beta[c]!;
    }
    return { name: input.name, rank: input.rank };
  }
  const n = mean.length;
  g.node(
    "BatchNormalization",
    [
      input.name,
      g.constant(`${id}.scale`, [n], gamma),
      g.constant(`${id}.offset`, [n], beta),
      g.constant(`${id}.mean`, [n], mean),
      g.constant(`${id}.variance`, [n], variance),
    ],
    id,
    { epsilon: { f: epsilon } },
  );
  return { name: id, rank: input.rank };
}

function convertReLU({ g, id, config, input }: LayerStep): Value {
  const maxValue = config.maxValue as number | null | undefined;
  if (maxValue == null) return { name: g.node("Relu", [input.name], id), rank: input.rank };
  const low = g.constant(`${id}.min`, [], Float32Array.of(0));
  const high = g.constant(`${id}.max`, [], Float32Array.of(maxValue));
  return { name: g.node("Clip", [input.name, low, high], id), rank: input.rank };
}

function convertSoftmax(step: LayerStep): Value {
  const axis = (step.config.axis as number | undefined) ?? -1;
  if (axis !== -1 && axis !== step.input.rank - 1)
    unsupported(step.layer, "softmaxes an axis other than the last");
  return { name: softmax(step, step.input, step.id), rank: step.input.rank };
}

function convertPooling({ g, id, config, className, input, shape }: LayerStep): Value {
  const kernelSize = pair(config.poolSize);
  const strides = pair(config.strides ?? config.poolSize);
  const attributes: Record<string, AttributeValue> = {
    kernel_shape: kernelSize,
    strides,
    pads: padsFor(config.padding, [shape[1]!, shape[2]!], kernelSize, strides),
  };
  // TF's "same" average pooling divides by the number of real (unpadded) pixels.
  if (className === "AveragePooling2D") attributes.count_include_pad = 0;
  const op = className === "MaxPooling2D" ? "MaxPool" : "AveragePool";
  return { name: g.node(op, [input.name], id, attributes), rank: 4 };
}

function convertGlobalPooling({ g, id, className, input }: LayerStep): Value {
  const op = className === "GlobalAveragePooling2D" ? "GlobalAveragePool" : "GlobalMaxPool";
  const pooled = g.node(op, [input.name], `${id}.pooled`);
  return { name: g.node("Flatten", [pooled], id, { axis: 1 }), rank: 2 };
}

function convertFlatten({ g, id, input }: LayerStep): Value {
  // Back to NHWC first: Keras flattens (h, w, c), and the next dense layer's rows are in that order.
  const source =
    input.rank === 4 ? g.node("Transpose", [input.name], `${id}.nhwc`, { perm: [0, 2, 3, 1] }) : input.name;
  return { name: g.node("Flatten", [source], id, { axis: 1 }), rank: 2 };
}

function convertAdd({ g, id, inputs, input }: LayerStep): Value {
  let sum = inputs[0]!.name;
  for (let i = 1; i < inputs.length; i++)
    sum = g.node("Add", [sum, inputs[i]!.name], i === inputs.length - 1 ? id : `${id}.${i}`);
  return { name: sum, rank: input.rank };
}

/** The element-wise mean of several inputs (an ensemble's logits, networks/ensemble.ts). */
function convertAverage({ g, id, inputs, input }: LayerStep): Value {
  return {
    name: g.node(
      "Mean",
      inputs.map((value) => value.name),
      id,
    ),
    rank: input.rank,
  };
}

/** Inference: noise and dropout layers are the identity. */
const passThrough = ({ input }: LayerStep): Value => ({ name: input.name, rank: input.rank });

/** The conversion of each supported Keras layer class. */
const LAYER_CONVERSIONS: Record<string, (step: LayerStep) => Value> = {
  Conv2D: convertConvolution,
  DepthwiseConv2D: convertConvolution,
  SeparableConv2D: convertConvolution,
  Dense: convertDense,
  BatchNormalization: convertBatchNormalization,
  ReLU: convertReLU,
  Activation: (step) => activate(step, step.input, step.config.activation),
  Softmax: convertSoftmax,
  MaxPooling2D: convertPooling,
  AveragePooling2D: convertPooling,
  GlobalAveragePooling2D: convertGlobalPooling,
  GlobalMaxPooling2D: convertGlobalPooling,
  Flatten: convertFlatten,
  Add: convertAdd,
  Average: convertAverage,
  Dropout: passThrough,
  SpatialDropout2D: passThrough,
  GaussianNoise: passThrough,
  GaussianDropout: passThrough,
};
