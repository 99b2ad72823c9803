/**
 * Thin wrappers that run the wasm backend's OWN kernels directly (not through tf ops), so a kernel we register
 * can be composed from fast XNNPACK kernels without touching the engine's tape or tensor bookkeeping.
 * Every helper returns a fresh TensorInfo the caller must release with `release` (wasm data is ref-counted,
 * so releasing a reshape's input does not free the reshape's output).
 */
import { tf } from "../../tf";

export type TensorInfo = tf.TensorInfo;
/** [top, bottom, left, right] of an NHWC tensor's spatial axes. */
export type SpatialPadding = readonly [number, number, number, number];
const NO_PADDING: SpatialPadding = [0, 0, 0, 0];
const explicit = ([top, bottom, left, right]: SpatialPadding): tf.backend_util.ExplicitPadding => [
  [0, 0],
  [top, bottom],
  [left, right],
  [0, 0],
];
export type WasmBackend = tf.KernelBackend;

export class WasmKernels {
  private readonly backend: WasmBackend;

  // Kernel functions receive the backend untyped (`{}`) from tfjs; it is the wasm backend by registration.
  constructor(backend: unknown) {
    this.backend = backend as WasmBackend;
  }

  run(
    kernelName: string,
    inputs: Record<string, TensorInfo>,
    attrs: Record<string, unknown> = {},
  ): TensorInfo {
    const config = tf.getKernel(kernelName, "wasm");
    if (!config) throw new Error(`wasm kernel ${kernelName} is not registered`);
    const out = config.kernelFunc({ inputs, attrs: attrs as tf.NamedAttrMap, backend: this.backend });
    return Array.isArray(out) ? (out[0] as TensorInfo) : (out as TensorInfo);
  }

  release(...infos: TensorInfo[]): void {
    for (const info of infos) this.backend.disposeData(info.dataId);
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run("Transpose", { x }, { perm });
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run("Reshape", { x }, { shape });
  }

  reverse(x: TensorInfo, dims: number[]): TensorInfo {
    return this.run("Reverse", { x }, { dims });
  }

  sum(x: TensorInfo, axis: number[]): TensorInfo {
    return this.run("Sum", { x }, { axis, keepDims: false });
  }

  tile(x: TensorInfo, reps: number[]): TensorInfo {
    return this.run("Tile", { x }, { reps });
  }

  /** Stride-1 conv; `pad` is explicit NHWC padding (XNNPACK pads on the fly, cheaper than a PadV2 copy). */
  conv2d(
    x: TensorInfo,
    filter: TensorInfo,
    dilations: [number, number],
    pad: SpatialPadding = NO_PADDING,
  ): TensorInfo {
    return this.run(
      "Conv2D",
      { x, filter },
      { strides: [1, 1], pad: explicit(pad), dataFormat: "NHWC", dilations, dimRoundingMode: undefined },
    );
  }

  depthwiseConv2d(
    x: TensorInfo,
    filter: TensorInfo,
    dilations: [number, number],
    pad: SpatialPadding = NO_PADDING,
  ): TensorInfo {
    return this.run(
      "DepthwiseConv2dNative",
      { x, filter },
      { strides: [1, 1], pad: explicit(pad), dataFormat: "NHWC", dilations, dimRoundingMode: undefined },
    );
  }

  /**
   * [B,H,W,C] -> [C,H,W,B]. For large activations the direct permutation is cache-hostile (3x slower than a
   * copy); a 2-D transpose followed by a block transpose of contiguous batch rows is ~2.5x faster.
   */
  moveBatchToLast(x: TensorInfo): TensorInfo {
    const [b, h, w, c] = x.shape as [number, number, number, number];
    if (h * w < 24 * 24) return this.transpose(x, [3, 1, 2, 0]);
    const flat = this.reshape(x, [b, h * w * c]);
    const batchLast = this.transposeAndRelease(flat, [1, 0]); // [H*W*C, B]
    const blocks = this.reshapeAndRelease(batchLast, [h * w, c, b]);
    return this.reshapeAndRelease(this.transposeAndRelease(blocks, [1, 0, 2]), [c, h, w, b]);
  }

  /**
   * Crops the spatial axes of an NHWC tensor where an amount is negative and returns the remaining (positive)
   * amounts as padding for the next conv. Releases the input only if it cropped.
   */
  cropSpatial(
    x: TensorInfo,
    top: number,
    bottom: number,
    left: number,
    right: number,
  ): { x: TensorInfo; pad: SpatialPadding } {
    const pad: SpatialPadding = [
      Math.max(0, top),
      Math.max(0, bottom),
      Math.max(0, left),
      Math.max(0, right),
    ];
    const crop = [Math.max(0, -top), Math.max(0, -bottom), Math.max(0, -left), Math.max(0, -right)] as const;
    if (crop.every((amount) => amount === 0)) return { x, pad };
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const cropped = this.run(
      "Slice",
      { x },
      { begin: [0, crop[0], crop[2], 0], size: [n, h - crop[0] - crop[1], w - crop[2] - crop[3], c] },
    );
    this.release(x);
    return { x: cropped, pad };
  }

  /** Transposes then releases the input (the common "move axes, drop the old layout" step). */
  transposeAndRelease(x: TensorInfo, perm: number[]): TensorInfo {
    const out = this.transpose(x, perm);
    this.release(x);
    return out;
  }

  reshapeAndRelease(x: TensorInfo, shape: number[]): TensorInfo {
    const out = this.reshape(x, shape);
    this.release(x);
    return out;
  }

  /**
   * Inserts (stride - 1) zeros between the spatial samples of an NHWC tensor, as a strided conv's gradient needs.
   * The result has shape [n, h*sh, w*sw, c] (trailing zeros included; callers crop them with cropSpatial).
   * Does not release the input.
   */
  dilateSpatial(x: TensorInfo, strideH: number, strideW: number): TensorInfo {
    const [n, h, w, c] = x.shape as [number, number, number, number];
    let current = this.reshape(x, [n * h, 1, w * c]);
    if (strideH > 1) {
      const padded = this.run(
        "PadV2",
        { x: current },
        {
          paddings: [
            [0, 0],
            [0, strideH - 1],
            [0, 0],
          ],
          constantValue: 0,
        },
      );
      this.release(current);
      current = padded;
    }
    current = this.reshapeAndRelease(current, [n * h * strideH, w, 1, c]);
    if (strideW > 1) {
      const padded = this.run(
        "PadV2",
        { x: current },
        {
          paddings: [
            [0, 0],
            [0, 0],
            [0, strideW - 1],
            [0, 0],
          ],
          constantValue: 0,
        },
      );
      this.release(current);
      current = padded;
    }
    return this.reshapeAndRelease(current, [n, h * strideH, w * strideW, c]);
  }
}
