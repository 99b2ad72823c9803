/**
 * ONNX message builders (onnx.proto3 field numbers). Only what a feed-forward float32 classifier needs.
 */
import { ProtoWriter } from "./protobuf";

export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 13;
const FLOAT = 1;
const UINT8 = 2;
const INT8 = 3;
const INT32 = 6;
const INT64 = 7;

/** number = INT, number[] = INTS, { f } = FLOAT (explicit: 1.0 must not become an int), string = STRING. */
export type AttributeValue = number | number[] | string | { f: number } | { floats: number[] };

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attributes?: Record<string, AttributeValue>;
}

export interface OnnxInitializer {
  name: string;
  dims: number[];
  /** float32, int64 (shapes), or the integer types of a quantized graph (int8 weights, uint8 zero points, int32 biases). */
  data: Float32Array | BigInt64Array | Int8Array | Uint8Array | Int32Array;
}

function elementType(data: OnnxInitializer["data"]): number {
  if (data instanceof Float32Array) return FLOAT;
  if (data instanceof BigInt64Array) return INT64;
  if (data instanceof Int8Array) return INT8;
  if (data instanceof Uint8Array) return UINT8;
  return INT32;
}

export interface OnnxValueInfo {
  name: string;
  /** A string is a symbolic (dynamic) dimension such as "batch". */
  shape: (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxInitializer[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

function writeAttribute(w: ProtoWriter, name: string, value: AttributeValue): void {
  w.string(1, name);
  if (typeof value === "string") {
    w.bytes(4, new TextEncoder().encode(value)).int(20, 3);
  } else if (typeof value === "number") {
    if (!Number.isInteger(value))
      throw new Error(`attribute ${name}: ${value} is not an integer (use { f })`);
    w.int(3, value).int(20, 2);
  } else if (Array.isArray(value)) {
    w.ints(8, value).int(20, 7);
  } else if ("f" in value) {
    w.float(2, value.f).int(20, 1);
  } else {
    for (const f of value.floats) w.float(7, f);
    w.int(20, 6);
  }
}

function writeTensor(w: ProtoWriter, tensor: OnnxInitializer): void {
  w.ints(1, tensor.dims);
  w.int(2, elementType(tensor.data));
  w.string(8, tensor.name);
  // raw_data is little-endian, which is what typed arrays hold on every platform Node runs on.
  w.bytes(9, new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
}

function writeValueInfo(w: ProtoWriter, info: OnnxValueInfo): void {
  w.string(1, info.name);
  w.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.int(1, FLOAT);
      tensorType.message(2, (shape) => {
        for (const dim of info.shape) {
          shape.message(1, (d) => (typeof dim === "number" ? d.int(1, dim) : d.string(2, dim)));
        }
      });
    }),
  );
}

export function encodeModel(graph: OnnxGraph, producerVersion: string): Uint8Array {
  const model = new ProtoWriter();
  model.int(1, ONNX_IR_VERSION);
  model.string(2, "moodlens");
  model.string(3, producerVersion);
  model.message(7, (g) => {
    for (const node of graph.nodes) {
      g.message(1, (n) => {
        for (const input of node.inputs) n.string(1, input);
        for (const output of node.outputs) n.string(2, output);
        n.string(3, node.name);
        n.string(4, node.opType);
        for (const [name, value] of Object.entries(node.attributes ?? {})) {
          n.message(5, (a) => writeAttribute(a, name, value));
        }
      });
    }
    g.string(2, graph.name);
    for (const initializer of graph.initializers) g.message(5, (t) => writeTensor(t, initializer));
    for (const input of graph.inputs) g.message(11, (v) => writeValueInfo(v, input));
    for (const output of graph.outputs) g.message(12, (v) => writeValueInfo(v, output));
  });
  model.message(8, (opset) => opset.string(1, "").int(2, ONNX_OPSET));
  return model.finish();
}
