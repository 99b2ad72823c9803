/**
 * tf.LayersModel -> ONNX (opset 13), for serving with onnxruntime (7-12x faster than tfjs-wasm here).
 *
 * Layout: tfjs is NHWC, ONNX convolutions are NCHW. The graph transposes the input once, runs NCHW, and
 * transposes back to NHWC before a Flatten so the dense weights keep Keras' (h, w, c) order.
 * Batch norms that directly follow a linear conv/dense with no other consumer are folded into its weights
 * (the trained model then has no BatchNormalization op at all); others become ONNX BatchNormalization.
 */
import { AppError } from "@moodlens/shared";
import { tf } from "../tf";
import { encodeModel, type AttributeValue, type OnnxGraph, type OnnxInitializer, type OnnxNode } from "./onnx-proto";

export const ONNX_INPUT_NAME = "face";
export const ONNX_OUTPUT_NAME = "probabilities";

export interface ExportOnnxOptions {
  /** Softmax temperature from calibration, applied inside the graph (logits / T). Default 1. */
  temperature?: number;
}

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
  Array.isArray(value) ? [value[0] as number, (value[1] ?? value[0]) as number] : [value as number, value as number];

/** Explicit ONNX pads [top, left, bottom, right] reproducing TF "same"/"valid" for a static input size. */
function padsFor(padding: unknown, input: [number, number], kernel: [number, number], strides: [number, number]): number[] {
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

/** [KH,KW,Ci,Co] (tfjs) -> [Co,Ci,KH,KW] (ONNX). */
function convKernelToOnnx(k: Float32Array, [kh, kw, ci, co]: number[]): Float32Array {
  const out = new Float32Array(k.length);
  for (let h = 0; h < kh!; h++)
    for (let w = 0; w < kw!; w++)
      for (let i = 0; i < ci!; i++)
        for (let o = 0; o < co!; o++) out[((o * ci! + i) * kh! + h) * kw! + w] = k[((h * kw! + w) * ci! + i) * co! + o]!;
  return out;
}

/** Depthwise [KH,KW,C,M] -> grouped conv [C*M,1,KH,KW] (output channel c*M+m reads input channel c). */
function depthwiseKernelToOnnx(k: Float32Array, [kh, kw, c, m]: number[]): Float32Array {
  const out = new Float32Array(k.length);
  for (let h = 0; h < kh!; h++)
    for (let w = 0; w < kw!; w++)
      for (let ch = 0; ch < c!; ch++)
        for (let j = 0; j < m!; j++) out[((ch * m! + j) * kh! + h) * kw! + w] = k[((h * kw! + w) * c! + ch) * m! + j]!;
  return out;
}

class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxInitializer[] = [];

  constant(name: string, dims: number[], data: Float32Array | BigInt64Array): string {
    this.initializers.push({ name, dims, data });
    return name;
  }

  node(opType: string, inputs: string[], output: string, attributes?: Record<string, AttributeValue>): string {
    this.nodes.push({ opType, inputs, outputs: [output], name: output, ...(attributes ? { attributes } : {}) });
    return output;
  }
}

export function exportOnnx(model: tf.LayersModel, options: ExportOnnxOptions = {}): Uint8Array {
  const temperature = options.temperature ?? 1;
  if (!(temperature > 0)) throw new AppError("CONFIG_INVALID", "ONNX export: temperature must be positive");
  const g = new GraphBuilder();
  const values = new Map<string, Value>();
  const consumers = new Map<string, number>();
  for (const layer of model.layers) {
    for (const inbound of layer.inboundNodes[0]?.inboundLayers ?? []) {
      consumers.set(inbound.name, (consumers.get(inbound.name) ?? 0) + 1);
    }
  }
  const inputOf = (layer: Layer): Value[] =>
    (layer.inboundNodes[0]?.inboundLayers ?? []).map(
      (inbound) => values.get(inbound.name) ?? unsupported(layer, `reads ${inbound.name}, which was not converted`),
    );
  const inputShapeOf = (layer: Layer): number[] => {
    const shapes = layer.inboundNodes[0]?.inputShapes;
    const shape = (Array.isArray(shapes?.[0]) ? shapes[0] : shapes) as (number | null)[];
    return shape.map((d) => d ?? -1);
  };
  const outputLayerName = model.outputs[0]!.sourceLayer.name;

  /** Emits a conv (NCHW) and records it as foldable when its activation is linear. */
  const emitConv = (
    input: string,
    name: string,
    kernel: Float32Array,
    dims: [number, number, number, number],
    bias: Float32Array,
    attributes: Record<string, AttributeValue>,
  ): LinearOp => {
    const weightsName = g.constant(`${name}.weight`, dims, kernel);
    const biasName = g.constant(`${name}.bias`, [dims[0]], bias);
    g.node("Conv", [input, weightsName, biasName], name, attributes);
    return { weights: kernel, bias, layout: "channels-first", outputs: dims[0] };
  };

  const activate = (layer: Layer, value: Value, activation: unknown): Value => {
    const name = typeof activation === "string" ? activation : "linear";
    if (name === "linear") return value;
    const rank = value.rank;
    const isOutput = layer.name === outputLayerName;
    switch (name) {
      case "relu":
        return { name: g.node("Relu", [value.name], `${value.name}.relu`), rank };
      case "sigmoid":
        return { name: g.node("Sigmoid", [value.name], `${value.name}.sigmoid`), rank };
      case "tanh":
        return { name: g.node("Tanh", [value.name], `${value.name}.tanh`), rank };
      case "softmax":
        return { name: softmax(value, isOutput, `${value.name}.softmax`), rank };
      default:
        return unsupported(layer, `uses activation "${name}"`);
    }
  };

  const softmax = (value: Value, isOutput: boolean, name: string): string => {
    let logits = value.name;
    if (isOutput && temperature !== 1) {
      const inverse = g.constant(`${name}.inverse_temperature`, [], Float32Array.of(1 / temperature));
      logits = g.node("Mul", [logits, inverse], `${name}.scaled_logits`);
    }
    return g.node("Softmax", [logits], name, { axis: value.rank === 4 ? 1 : -1 });
  };

  for (const layer of model.layers) {
    // Tensor names are namespaced so a layer called e.g. "probabilities" cannot clash with the graph output.
    const id = `layer/${layer.name}`;
    const config = layer.getConfig() as Config;
    const className = layer.getClassName();
    if (className === "InputLayer") {
      const nchw = g.node("Transpose", [ONNX_INPUT_NAME], `${id}.nchw`, { perm: [0, 3, 1, 2] });
      values.set(layer.name, { name: nchw, rank: 4 });
      continue;
    }
    if (config.dataFormat !== undefined && config.dataFormat !== "channelsLast") unsupported(layer, "is not channelsLast");
    const inputs = inputOf(layer);
    const input = inputs[0]!;
    const shape = inputShapeOf(layer);
    const spatial: [number, number] = [shape[1]!, shape[2]!];
    let out: Value;

    switch (className) {
      case "Conv2D":
      case "DepthwiseConv2D":
      case "SeparableConv2D": {
        const kernelSize = pair(config.kernelSize);
        const strides = pair(config.strides);
        const dilations = pair(config.dilationRate ?? 1);
        if (dilations[0] !== 1 || dilations[1] !== 1) unsupported(layer, "is dilated");
        const pads = padsFor(config.padding, spatial, kernelSize, strides);
        const base = { kernel_shape: kernelSize, strides, pads, dilations: [1, 1] };
        const channels = shape[3]!;
        let linear: LinearOp;
        if (className === "Conv2D") {
          const filters = config.filters as number;
          const kernel = convKernelToOnnx(requireWeight(layer, "kernel"), [...kernelSize, channels, filters]);
          const bias = weightOf(layer, "bias") ?? new Float32Array(filters);
          linear = emitConv(input.name, id, kernel, [filters, channels, ...kernelSize], bias, base);
        } else {
          const multiplier = (config.depthMultiplier as number | undefined) ?? 1;
          const depthOut = channels * multiplier;
          const depthKernel = depthwiseKernelToOnnx(requireWeight(layer, "depthwise_kernel"), [...kernelSize, channels, multiplier]);
          if (className === "DepthwiseConv2D") {
            const bias = weightOf(layer, "bias") ?? new Float32Array(depthOut);
            linear = emitConv(input.name, id, depthKernel, [depthOut, 1, ...kernelSize], bias, { ...base, group: channels });
          } else {
            const filters = config.filters as number;
            emitConv(input.name, `${id}.depthwise`, depthKernel, [depthOut, 1, ...kernelSize], new Float32Array(depthOut), { ...base, group: channels });
            const pointwise = convKernelToOnnx(requireWeight(layer, "pointwise_kernel"), [1, 1, depthOut, filters]);
            const bias = weightOf(layer, "bias") ?? new Float32Array(filters);
            linear = emitConv(`${id}.depthwise`, id, pointwise, [filters, depthOut, 1, 1], bias, {
              kernel_shape: [1, 1],
              strides: [1, 1],
              pads: [0, 0, 0, 0],
            });
          }
        }
        out = { name: id, rank: 4, linear };
        out = config.activation === "linear" || config.activation === undefined ? out : activate(layer, { name: id, rank: 4 }, config.activation);
        break;
      }
      case "Dense": {
        if (input.rank !== 2) unsupported(layer, "is applied to a non-flat tensor");
        const units = config.units as number;
        const kernel = requireWeight(layer, "kernel");
        const bias = weightOf(layer, "bias") ?? new Float32Array(units);
        const weightsName = g.constant(`${id}.weight`, [shape[1]!, units], kernel);
        const biasName = g.constant(`${id}.bias`, [units], bias);
        g.node("Gemm", [input.name, weightsName, biasName], id);
        const raw: Value = { name: id, rank: 2, linear: { weights: kernel, bias, layout: "columns", outputs: units } };
        out = config.activation === "linear" ? raw : activate(layer, { name: id, rank: 2 }, config.activation);
        break;
      }
      case "BatchNormalization": {
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
          out = { name: input.name, rank: input.rank };
        } else {
          const p = id;
          const n = mean.length;
          g.node(
            "BatchNormalization",
            [input.name, g.constant(`${p}.scale`, [n], gamma), g.constant(`${p}.offset`, [n], beta), g.constant(`${p}.mean`, [n], mean), g.constant(`${p}.variance`, [n], variance)],
            p,
            { epsilon: { f: epsilon } },
          );
          out = { name: p, rank: input.rank };
        }
        break;
      }
      case "ReLU": {
        const maxValue = config.maxValue as number | null | undefined;
        if (maxValue == null) {
          out = { name: g.node("Relu", [input.name], id), rank: input.rank };
        } else {
          const low = g.constant(`${id}.min`, [], Float32Array.of(0));
          const high = g.constant(`${id}.max`, [], Float32Array.of(maxValue));
          out = { name: g.node("Clip", [input.name, low, high], id), rank: input.rank };
        }
        break;
      }
      case "Activation":
        out = activate(layer, input, config.activation);
        break;
      case "Softmax": {
        const axis = (config.axis as number | undefined) ?? -1;
        if (axis !== -1 && axis !== input.rank - 1) unsupported(layer, "softmaxes an axis other than the last");
        out = { name: softmax(input, layer.name === outputLayerName, id), rank: input.rank };
        break;
      }
      case "MaxPooling2D":
      case "AveragePooling2D": {
        const kernelSize = pair(config.poolSize);
        const strides = pair(config.strides ?? config.poolSize);
        const attributes: Record<string, AttributeValue> = {
          kernel_shape: kernelSize,
          strides,
          pads: padsFor(config.padding, spatial, kernelSize, strides),
        };
        // TF's "same" average pooling divides by the number of real (unpadded) pixels.
        if (className === "AveragePooling2D") attributes.count_include_pad = 0;
        const op = className === "MaxPooling2D" ? "MaxPool" : "AveragePool";
        out = { name: g.node(op, [input.name], id, attributes), rank: 4 };
        break;
      }
      case "GlobalAveragePooling2D":
      case "GlobalMaxPooling2D": {
        const op = className === "GlobalAveragePooling2D" ? "GlobalAveragePool" : "GlobalMaxPool";
        const pooled = g.node(op, [input.name], `${id}.pooled`);
        out = { name: g.node("Flatten", [pooled], id, { axis: 1 }), rank: 2 };
        break;
      }
      case "Flatten": {
        // Back to NHWC first: Keras flattens (h, w, c), and the next dense layer's rows are in that order.
        const source = input.rank === 4 ? g.node("Transpose", [input.name], `${id}.nhwc`, { perm: [0, 2, 3, 1] }) : input.name;
        out = { name: g.node("Flatten", [source], id, { axis: 1 }), rank: 2 };
        break;
      }
      case "Add": {
        let sum = inputs[0]!.name;
        for (let i = 1; i < inputs.length; i++) {
          sum = g.node("Add", [sum, inputs[i]!.name], i === inputs.length - 1 ? id : `${id}.${i}`);
        }
        out = { name: sum, rank: input.rank };
        break;
      }
      case "Dropout":
      case "SpatialDropout2D":
      case "GaussianNoise":
      case "GaussianDropout":
        out = { name: input.name, rank: input.rank }; // inference: identity
        break;
      default:
        unsupported(layer, "has no ONNX conversion");
    }
    values.set(layer.name, out);
  }

  const last = values.get(outputLayerName)!;
  g.node("Identity", [last.name], ONNX_OUTPUT_NAME);
  const outputShape = model.outputs[0]!.shape.map((d, i) => (i === 0 ? "batch" : (d as number)));
  const inputShape = model.inputs[0]!.shape.map((d, i) => (i === 0 ? "batch" : (d as number)));
  const graph: OnnxGraph = {
    name: model.name,
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [{ name: ONNX_INPUT_NAME, shape: inputShape }],
    outputs: [{ name: ONNX_OUTPUT_NAME, shape: outputShape }],
  };
  return encodeModel(graph, `tfjs-layers ${tf.version_layers}`);
}
