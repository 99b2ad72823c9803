/**
 * Static int8 quantization of an exported classifier graph (QDQ format, which onnxruntime fuses into QLinearConv and
 * uint8 MaxPool: integer kernels, with AVX-512 VNNI where the processor has it).
 *
 * What is quantized: every Conv (weights int8, symmetric per output channel; bias int32 at input scale x weight
 * scale) and the activations between convs (uint8, per tensor: each ReLU after a conv, each MaxPool of such a ReLU,
 * and the network's input, whose pixel/255 values are exact at scale 1/255). Dense layers, the softmax and the
 * served calibration stay float: they are a small share of the cost. The activation ranges come from running the
 * float graph on calibration images (`activationTensors` names what to measure).
 */
import { AppError } from "@moodlens/shared";
import type { OnnxGraph, OnnxInitializer, OnnxNode } from "./onnx-proto";

/** The largest value of a non-negative activation tensor that its uint8 scale must still represent. */
export type ActivationRanges = ReadonlyMap<string, number>;

const producerOf = (graph: OnnxGraph, tensor: string) =>
  graph.nodes.find((node) => node.outputs.includes(tensor));

/** The network input after its NHWC -> NCHW transpose (values pixel / 255, in [0, 1]). */
export function inputTensor(graph: OnnxGraph): string | undefined {
  const input = graph.inputs[0]?.name;
  return graph.nodes.find((node) => node.opType === "Transpose" && node.inputs[0] === input)?.outputs[0];
}

/**
 * The activations to quantize, in graph order: the input, every ReLU that reads a conv, every MaxPool that reads
 * one of these. Their largest values are what calibration measures (except the input's, which is 1).
 */
export function activationTensors(graph: OnnxGraph): string[] {
  const chosen = new Set<string>();
  const input = inputTensor(graph);
  if (input) chosen.add(input);
  for (const node of graph.nodes) {
    const source = producerOf(graph, node.inputs[0] ?? "");
    if (node.opType === "Relu" && source?.opType === "Conv") chosen.add(node.outputs[0]!);
    if (node.opType === "MaxPool" && chosen.has(node.inputs[0]!)) chosen.add(node.outputs[0]!);
  }
  return [...chosen];
}

function scaleOf(tensor: string, graph: OnnxGraph, ranges: ActivationRanges): number {
  if (tensor === inputTensor(graph)) return 1 / 255;
  const producer = producerOf(graph, tensor);
  // A max pool keeps its input's range: the same scale lets onnxruntime run it on uint8 directly.
  if (producer?.opType === "MaxPool") return scaleOf(producer.inputs[0]!, graph, ranges);
  const range = ranges.get(tensor);
  if (range === undefined)
    throw new AppError("MODEL_INVALID", `quantize: no calibrated range for ${tensor}`, {
      hint: "measure the ranges again: npm run trainer -- quantize --model DIR --data TRAIN_DIR",
    });
  return Math.max(range, 1e-6) / 255;
}

/** Returns a new graph with int8 convolutions; `graph` is left unchanged. */
export function quantizeGraph(graph: OnnxGraph, ranges: ActivationRanges): OnnxGraph {
  const initializers = new Map(graph.initializers.map((init) => [init.name, init]));
  const added: OnnxInitializer[] = [];
  const constant = (init: OnnxInitializer) => (added.push(init), init.name);
  const activations = activationTensors(graph);
  const scales = new Map(activations.map((tensor) => [tensor, scaleOf(tensor, graph, ranges)]));
  const nodes: OnnxNode[] = [];
  const uint8Zero = (name: string) => constant({ name, dims: [], data: new Uint8Array(1) });

  // Quantize each chosen activation once, right after it is made; each reader gets its own DequantizeLinear
  // (onnxruntime fuses a node group only when its DQ feeds that node alone).
  const quantized = new Map<string, { q: string; scale: string; zero: string }>();
  const quantize = (tensor: string) => {
    const scale = constant({
      name: `${tensor}.q_scale`,
      dims: [],
      data: Float32Array.of(scales.get(tensor)!),
    });
    const zero = uint8Zero(`${tensor}.q_zero`);
    nodes.push({
      opType: "QuantizeLinear",
      inputs: [tensor, scale, zero],
      outputs: [`${tensor}.q`],
      name: `${tensor}.q`,
    });
    quantized.set(tensor, { q: `${tensor}.q`, scale, zero });
  };
  let readers = 0;
  const dequantized = (tensor: string) => {
    const { q, scale, zero } = quantized.get(tensor)!;
    const name = `${tensor}.dq${readers++}`;
    nodes.push({ opType: "DequantizeLinear", inputs: [q, scale, zero], outputs: [name], name });
    return name;
  };

  for (const node of graph.nodes) {
    const inputs = node.inputs.map((input) => (quantized.has(input) ? dequantized(input) : input));
    if (node.opType === "Conv" && (node.attributes?.group ?? 1) === 1 && quantized.has(node.inputs[0]!)) {
      const [weightName, biasName] = [node.inputs[1]!, node.inputs[2]!];
      const weight = initializers.get(weightName)!;
      const bias = initializers.get(biasName)!;
      const outputs = weight.dims[0]!;
      const perChannel = (weight.data as Float32Array).length / outputs;
      const weightScales = new Float32Array(outputs);
      const weightQ = new Int8Array(perChannel * outputs);
      const biasQ = new Int32Array(outputs);
      const inputScale = scales.get(node.inputs[0]!)!;
      for (let c = 0; c < outputs; c++) {
        const w = (weight.data as Float32Array).subarray(c * perChannel, (c + 1) * perChannel);
        const scale = Math.max(...w.map(Math.abs), 1e-8) / 127;
        weightScales[c] = scale;
        for (let i = 0; i < perChannel; i++) weightQ[c * perChannel + i] = Math.round(w[i]! / scale);
        biasQ[c] = Math.round((bias.data as Float32Array)[c]! / (inputScale * scale));
      }
      const w = `${weightName}.int8`;
      const b = `${biasName}.int32`;
      constant({ name: w, dims: weight.dims, data: weightQ });
      constant({ name: `${w}.scale`, dims: [outputs], data: weightScales });
      constant({ name: `${w}.zero`, dims: [outputs], data: new Int8Array(outputs) });
      constant({ name: b, dims: [outputs], data: biasQ });
      constant({ name: `${b}.scale`, dims: [outputs], data: weightScales.map((s) => s * inputScale) });
      constant({ name: `${b}.zero`, dims: [outputs], data: new Int32Array(outputs) });
      nodes.push(
        {
          opType: "DequantizeLinear",
          inputs: [w, `${w}.scale`, `${w}.zero`],
          outputs: [`${w}.dq`],
          name: `${w}.dq`,
          attributes: { axis: 0 },
        },
        {
          opType: "DequantizeLinear",
          inputs: [b, `${b}.scale`, `${b}.zero`],
          outputs: [`${b}.dq`],
          name: `${b}.dq`,
          attributes: { axis: 0 },
        },
      );
      inputs[1] = `${w}.dq`;
      inputs[2] = `${b}.dq`;
    }
    nodes.push({ ...node, inputs });
    for (const output of node.outputs) if (scales.has(output)) quantize(output);
  }
  const used = new Set(nodes.flatMap((node) => node.inputs));
  return {
    ...graph,
    nodes,
    initializers: [...graph.initializers.filter((init) => used.has(init.name)), ...added],
  };
}

/** `graph` with extra outputs for the tensors calibration measures (float, any shape). */
export function withProbes(graph: OnnxGraph, tensors: readonly string[]): OnnxGraph {
  return {
    ...graph,
    outputs: [...graph.outputs, ...tensors.map((name) => ({ name, shape: ["n", "c", "h", "w"] }))],
  };
}
