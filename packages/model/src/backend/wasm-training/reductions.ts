/**
 * Sum and Mean over all leading axes (per-channel statistics of NHWC activations: batch norm's moments and
 * its gradient) as one matrix product ones[1,P] x X[P,C]. The stock wasm kernels first transpose the whole
 * activation to make the reduced axes innermost, which costs ~10x more than the reduction itself.
 * Every other reduction goes to the stock kernel.
 */
import { tf } from "../../tf";
import { WasmKernels, type TensorInfo } from "./kernel-calls";

function isLeadingAxesReduction(x: TensorInfo, axis: number | number[]): boolean {
  if (x.dtype !== "float32" || x.shape.length < 2) return false;
  const axes = [...tf.util.parseAxisParam(axis, x.shape)].sort((a, b) => a - b);
  return axes.length === x.shape.length - 1 && axes.every((value, index) => value === index);
}

function leadingAxesReduction(kernelName: "Sum" | "Mean", stock: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName,
    backendName: "wasm",
    ...(stock.setupFunc ? { setupFunc: stock.setupFunc } : {}),
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: TensorInfo };
      const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
      const rows = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
      if (!isLeadingAxesReduction(x, axis) || rows === 0) return stock.kernelFunc(args);
      const k = new WasmKernels(args.backend);
      const channels = x.shape[x.shape.length - 1]!;
      const weights = k.run(
        "Fill",
        {},
        { shape: [1, 1, rows], value: kernelName === "Mean" ? 1 / rows : 1, dtype: "float32" },
      );
      const matrix = k.reshape(x, [1, rows, channels]);
      const product = k.run(
        "BatchMatMul",
        { a: weights, b: matrix },
        { transposeA: false, transposeB: false },
      );
      k.release(weights, matrix);
      const outShape = keepDims ? [...x.shape.slice(0, -1).map(() => 1), channels] : [channels];
      return k.reshapeAndRelease(product, outShape);
    },
  };
}

/** Replacement Sum/Mean kernels built around the stock ones (which they call for every other case). */
export function fastReductionKernels(): tf.KernelConfig[] {
  return (["Sum", "Mean"] as const).map((name) => {
    const stock = tf.getKernel(name, "wasm");
    if (!stock) throw new Error(`wasm kernel ${name} is not registered`);
    return leadingAxesReduction(name, stock);
  });
}
