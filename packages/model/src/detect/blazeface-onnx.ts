/**
 * BlazeFace on onnxruntime. The tfjs graph in @vladmandic/human uses seven ops (_FusedConv2D, DepthwiseConv2dNative,
 * AddV2, Relu, MaxPool, Pad, Reshape), so it is converted to ONNX in memory at load (~ms, nothing written to disk).
 * onnxruntime is several times faster than tfjs-wasm for convnets here (engine-bench.md); the conversion is checked
 * against the tfjs graph on a probe image before it is used. The converted graph leaves height and width free (the
 * network is fully convolutional): `runView` takes views of any size (multiples of 32), one per call, because
 * batching 256x256 views measured no cheaper per view on onnxruntime's CPU provider.
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { AppError } from "@moodlens/shared";
import { loadOnnxRuntime, onnxRuntimeProblem } from "../onnx";
import { convKernelToOnnx, depthwiseKernelToOnnx } from "../onnx/kernel-layout";
import { encodeModel, type OnnxGraph, type OnnxInitializer, type OnnxNode } from "../onnx/onnx-proto";
import {
  BLAZEFACE_ANCHOR_COUNT,
  BLAZEFACE_INPUT_SIZE,
  BLAZEFACE_VALUES_PER_ANCHOR,
  type BlazefaceOutputs,
} from "./blazeface-model";

interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, { s?: string | string[]; i?: string; list?: { i?: string[]; s?: string[] } }>;
}
interface TfGraphJson {
  modelTopology: { node: TfNode[] };
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
}

const decode = (value: string) => Buffer.from(value, "base64").toString("utf8");
const attrString = (node: TfNode, key: string) => {
  const value = node.attr?.[key]?.s;
  return typeof value === "string" ? decode(value) : undefined;
};
const attrInts = (node: TfNode, key: string) => (node.attr?.[key]?.list?.i ?? []).map(Number);
const fusedOps = (node: TfNode) => (node.attr?.fused_ops?.list?.s ?? []).map(decode);

function unsupported(node: TfNode, why: string): never {
  throw new AppError("MODEL_INVALID", `BlazeFace ONNX conversion: ${node.op} ${node.name}: ${why}`);
}

const padAttributes = (node: TfNode) => {
  const padding = attrString(node, "padding");
  if (padding === "SAME") return { auto_pad: "SAME_UPPER" }; // TensorFlow SAME puts the odd pixel at the end
  if (padding === "VALID") return { auto_pad: "VALID" };
  return unsupported(node, `padding ${padding}`);
};
const spatial = (values: number[]) => [values[1]!, values[2]!];

/** Converts the tfjs graph model JSON + weights to an ONNX model (NHWC float input "input" [batch,256,256,3]). */
export function convertBlazefaceGraph(json: TfGraphJson, weights: Buffer): Uint8Array {
  const constants = new Map<string, { shape: number[]; values: Float32Array | Int32Array }>();
  let offset = 0;
  for (const spec of json.weightsManifest.flatMap((group) => group.weights)) {
    const count = spec.shape.reduce((product, dim) => product * dim, 1);
    const bytes = weights.subarray(offset, offset + count * 4);
    const copy = new Uint8Array(bytes).buffer;
    constants.set(spec.name, {
      shape: spec.shape,
      values: spec.dtype === "int32" ? new Int32Array(copy) : new Float32Array(copy),
    });
    offset += count * 4;
  }
  const nodes: OnnxNode[] = [];
  const initializers: OnnxInitializer[] = [];
  const floatConst = (name: string) => {
    const constant = constants.get(name);
    if (!constant || !(constant.values instanceof Float32Array))
      throw new AppError("MODEL_INVALID", `BlazeFace: missing weights ${name}`);
    return constant as { shape: number[]; values: Float32Array };
  };
  const addInitializer = (name: string, dims: number[], data: Float32Array | BigInt64Array) => {
    initializers.push({ name, dims, data });
    return name;
  };
  const outputs: string[] = [];
  nodes.push({
    opType: "Transpose",
    inputs: ["input"],
    outputs: ["input_nchw"],
    name: "input_nchw",
    attributes: { perm: [0, 3, 1, 2] },
  });
  const rename = (input: string) => (input === "input" ? "input_nchw" : input);

  for (const node of json.modelTopology.node) {
    const inputs = node.input ?? [];
    switch (node.op) {
      case "Const":
      case "Placeholder":
        break;
      case "_FusedConv2D": {
        const ops = fusedOps(node);
        if (ops[0] !== "BiasAdd" || ops.length > 2 || (ops[1] && ops[1] !== "Relu"))
          unsupported(node, `fused ops ${ops.join(",")}`);
        const filter = floatConst(inputs[1]!);
        const bias = floatConst(inputs[2]!);
        const weight = addInitializer(
          `${node.name}/W`,
          [filter.shape[3]!, filter.shape[2]!, filter.shape[0]!, filter.shape[1]!],
          convKernelToOnnx(filter.values, filter.shape),
        );
        const biasName = addInitializer(`${node.name}/B`, [bias.values.length], bias.values);
        const convOut = ops[1] ? `${node.name}/conv` : node.name;
        nodes.push({
          opType: "Conv",
          inputs: [rename(inputs[0]!), weight, biasName],
          outputs: [convOut],
          name: convOut,
          attributes: {
            ...padAttributes(node),
            strides: spatial(attrInts(node, "strides")),
            kernel_shape: [filter.shape[0]!, filter.shape[1]!],
          },
        });
        if (ops[1]) nodes.push({ opType: "Relu", inputs: [convOut], outputs: [node.name], name: node.name });
        break;
      }
      case "DepthwiseConv2dNative": {
        const filter = floatConst(inputs[1]!);
        const [h, w, c, m] = filter.shape as [number, number, number, number];
        const weight = addInitializer(
          `${node.name}/W`,
          [c * m, 1, h, w],
          depthwiseKernelToOnnx(filter.values, filter.shape),
        );
        nodes.push({
          opType: "Conv",
          inputs: [rename(inputs[0]!), weight],
          outputs: [node.name],
          name: node.name,
          attributes: {
            ...padAttributes(node),
            strides: spatial(attrInts(node, "strides")),
            kernel_shape: [h, w],
            group: c,
          },
        });
        break;
      }
      case "AddV2":
        nodes.push({ opType: "Add", inputs: inputs.map(rename), outputs: [node.name], name: node.name });
        break;
      case "Relu":
        nodes.push({ opType: "Relu", inputs: inputs.map(rename), outputs: [node.name], name: node.name });
        break;
      case "MaxPool":
        nodes.push({
          opType: "MaxPool",
          inputs: [rename(inputs[0]!)],
          outputs: [node.name],
          name: node.name,
          attributes: {
            ...padAttributes(node),
            strides: spatial(attrInts(node, "strides")),
            kernel_shape: spatial(attrInts(node, "ksize")),
          },
        });
        break;
      case "Pad": {
        const paddings = constants.get(inputs[1]!)?.values;
        if (!paddings || paddings.length !== 8) unsupported(node, "paddings");
        // NHWC [[n0,n1],[h0,h1],[w0,w1],[c0,c1]] -> ONNX NCHW [n0,c0,h0,w0,n1,c1,h1,w1]
        const [n0, n1, h0, h1, w0, w1, c0, c1] = Array.from(paddings);
        const pads = addInitializer(
          `${node.name}/pads`,
          [8],
          BigInt64Array.from([n0!, c0!, h0!, w0!, n1!, c1!, h1!, w1!].map(BigInt)),
        );
        nodes.push({
          opType: "Pad",
          inputs: [rename(inputs[0]!), pads],
          outputs: [node.name],
          name: node.name,
          attributes: { mode: "constant" },
        });
        break;
      }
      case "Reshape": {
        // Heads: NHWC conv output reshaped to [1, anchors, k]. Go back to NHWC first; keep the batch dimension free.
        // The anchor count is left free ([batch, -1, k]) so that the graph runs on any input size (it is fully
        // convolutional): rows come out in anchor order (y, x, anchor of the cell), as for the 256x256 input.
        const shape = constants.get(inputs[1]!)?.values;
        if (!shape || shape.length !== 3) unsupported(node, "shape");
        nodes.push({
          opType: "Transpose",
          inputs: [rename(inputs[0]!)],
          outputs: [`${node.name}/nhwc`],
          name: `${node.name}/nhwc`,
          attributes: { perm: [0, 2, 3, 1] },
        });
        const target = addInitializer(
          `${node.name}/shape`,
          [3],
          BigInt64Array.from([0, -1, shape[2]!].map(BigInt)),
        );
        nodes.push({
          opType: "Reshape",
          inputs: [`${node.name}/nhwc`, target],
          outputs: [node.name],
          name: node.name,
        });
        break;
      }
      case "Identity":
        nodes.push({ opType: "Identity", inputs: inputs.map(rename), outputs: [node.name], name: node.name });
        outputs.push(node.name);
        break;
      default:
        unsupported(node, "op not supported");
    }
  }
  const headShape = (name: string): (number | string)[] => {
    const reshape = json.modelTopology.node.find((node) => node.name === name)?.input?.[0];
    const target = json.modelTopology.node.find((node) => node.name === reshape)?.input?.[1];
    const shape = target ? constants.get(target)?.values : undefined;
    return ["batch", `${name}_anchors`, shape?.[2] ?? -1];
  };
  const graph: OnnxGraph = {
    name: "blazeface",
    nodes,
    initializers,
    inputs: [{ name: "input", shape: ["batch", "height", "width", 3] }],
    outputs: outputs.map((name) => ({ name, shape: headShape(name) })),
  };
  return encodeModel(graph, "blazeface-from-tfjs");
}

export interface OnnxBlazeface {
  /** Raw 896x17 rows (anchor order, as runBlazeface) for each 256x256 RGB view, run as one batch. */
  run(views: readonly Uint8Array[]): Promise<Float32Array[]>;
  /**
   * The outputs for one view of any size (multiples of 32), given as the network's float input (NHWC, v / 127.5 - 1:
   * `toNetworkInput` / `viewInput`): the stride-16 grid's anchors, then the stride-32 grid's, in the order of
   * `blazefaceAnchorGrid(width, height)`. At 256x256 the same numbers as `run`.
   */
  runView(input: Float32Array, width: number, height: number): Promise<BlazefaceOutputs>;
  dispose(): Promise<void>;
}

/** The converted ONNX model of the tfjs graph at `modelJsonPath` (read from disk, converted in memory). */
export async function blazefaceOnnxBytes(modelJsonPath: string): Promise<Uint8Array> {
  const json = JSON.parse(await readFile(modelJsonPath, "utf8")) as TfGraphJson;
  const weights = Buffer.concat(
    await Promise.all(
      json.weightsManifest.flatMap((group) =>
        group.paths.map((path) => readFile(join(dirname(modelJsonPath), path))),
      ),
    ),
  );
  return convertBlazefaceGraph(json, weights);
}

/**
 * Opens a session on converted bytes (`blazefaceOnnxBytes`); CONFIG_INVALID when onnxruntime is missing. Worker
 * threads get the bytes, not the path, so they skip the conversion. One intra-op thread: onnxruntime-node computes on the calling JS thread, so cores are used
 * by sessions in several threads (the detector's onnxWorkers), which measured faster than intra-op threads.
 */
export async function openOnnxBlazeface(model: Uint8Array): Promise<OnnxBlazeface> {
  const ort = await loadOnnxRuntime();
  if (!ort)
    throw new AppError("CONFIG_INVALID", `onnxruntime-node cannot be loaded (${onnxRuntimeProblem()})`);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    executionProviders: ["cpu"],
  });
  // Output heads by size, as in runBlazeface: 384x1, 512x1, 384x16, 512x16 (per image).
  const size = BLAZEFACE_INPUT_SIZE;
  const pixels = size * size * 3;
  return {
    async run(views) {
      if (views.length === 0) return [];
      const input = new Float32Array(views.length * pixels);
      views.forEach((view, index) => {
        for (let i = 0; i < pixels; i++) input[index * pixels + i] = view[i]! / 127.5 - 1;
      });
      const feed = new ort.Tensor("float32", input, [views.length, size, size, 3]);
      const result = await session.run({ input: feed });
      feed.dispose();
      const heads = Object.values(result).sort((a, b) => a.size - b.size);
      const [scores384, scores512, boxes384, boxes512] = heads.map((head) => head.data as Float32Array) as [
        Float32Array,
        Float32Array,
        Float32Array,
        Float32Array,
      ];
      const raws = views.map((_, image) => {
        const raw = new Float32Array(BLAZEFACE_ANCHOR_COUNT * BLAZEFACE_VALUES_PER_ANCHOR);
        for (let anchor = 0; anchor < BLAZEFACE_ANCHOR_COUNT; anchor++) {
          const fine = anchor < 512;
          const index = fine ? anchor : anchor - 512;
          const count = fine ? 512 : 384;
          const row = anchor * BLAZEFACE_VALUES_PER_ANCHOR;
          raw[row] = (fine ? scores512 : scores384)[image * count + index]!;
          raw.set(
            (fine ? boxes512 : boxes384).subarray(
              (image * count + index) * 16,
              (image * count + index + 1) * 16,
            ),
            row + 1,
          );
        }
        return raw;
      });
      for (const head of heads) head.dispose();
      return raws;
    },
    async runView(input, width, height) {
      const feed = new ort.Tensor("float32", input, [1, height, width, 3]);
      const result = await session.run({ input: feed });
      feed.dispose();
      // Heads by size: coarse scores < fine scores < coarse boxes < fine boxes (the fine grid has 4/3 the anchors).
      // Their data stay valid after dispose (CPU tensors only drop their reference).
      const heads = Object.values(result).sort((a, b) => a.size - b.size);
      const [scoresCoarse, scoresFine, boxesCoarse, boxesFine] = heads.map(
        (head) => head.data as Float32Array,
      ) as [Float32Array, Float32Array, Float32Array, Float32Array];
      for (const head of heads) head.dispose();
      return {
        grids: [
          { logits: scoresFine, regressors: boxesFine },
          { logits: scoresCoarse, regressors: boxesCoarse },
        ],
      };
    },
    async dispose() {
      await session.release();
    },
  };
}
