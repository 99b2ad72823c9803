/**
 * Thin wrappers that run the wasm backend's OWN kernels directly (not through tf ops), so a kernel we register
 * can be composed from fast XNNPACK kernels without touching the engine's tape or tensor bookkeeping.
 * Every helper returns a fresh TensorInfo the caller must release with `release` (wasm data is ref-counted,
 * so releasing a reshape's input does not free the reshape's output).
 */
import { tf } from "../../tf";

export type TensorInfo = tf.TensorInfo;
export type WasmBackend = tf.KernelBackend;

export class WasmKernels {
  private readonly backend: WasmBackend;

  // Kernel functions receive the backend untyped (`{}`) from tfjs; it is the wasm backend by registration.
  constructor(backend: unknown) {
    this.backend = backend as WasmBackend;
  }

  run(kernelName: string, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown> = {}): TensorInfo {
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

  conv2d(x: TensorInfo, filter: TensorInfo, dilations: [number, number]): TensorInfo {
    return this.run(
      "Conv2D",
      { x, filter },
      { strides: [1, 1], pad: "valid", dataFormat: "NHWC", dilations, dimRoundingMode: undefined },
    );
  }

  depthwiseConv2d(x: TensorInfo, filter: TensorInfo, dilations: [number, number]): TensorInfo {
    return this.run(
      "DepthwiseConv2dNative",
      { x, filter },
      { strides: [1, 1], pad: "valid", dataFormat: "NHWC", dilations, dimRoundingMode: undefined },
    );
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
   * Pads (positive amounts) or crops (negative amounts) the two spatial axes of an NHWC tensor.
   * Releases the input unless it is returned unchanged. Crops first, so a pad never creates data a crop removes.
   */
  padOrCropSpatial(x: TensorInfo, top: number, bottom: number, left: number, right: number): TensorInfo {
    let current = x;
    const [n, h, w, c] = current.shape as [number, number, number, number];
    const cropTop = Math.max(0, -top);
    const cropBottom = Math.max(0, -bottom);
    const cropLeft = Math.max(0, -left);
    const cropRight = Math.max(0, -right);
    if (cropTop + cropBottom + cropLeft + cropRight > 0) {
      const sliced = this.run(
        "Slice",
        { x: current },
        { begin: [0, cropTop, cropLeft, 0], size: [n, h - cropTop - cropBottom, w - cropLeft - cropRight, c] },
      );
      this.release(current);
      current = sliced;
    }
    const padTop = Math.max(0, top);
    const padBottom = Math.max(0, bottom);
    const padLeft = Math.max(0, left);
    const padRight = Math.max(0, right);
    if (padTop + padBottom + padLeft + padRight > 0) {
      const padded = this.run(
        "PadV2",
        { x: current },
        {
          paddings: [
            [0, 0],
            [padTop, padBottom],
            [padLeft, padRight],
            [0, 0],
          ],
          constantValue: 0,
        },
      );
      this.release(current);
      current = padded;
    }
    return current;
  }

  /**
   * Inserts (stride - 1) zeros between the spatial samples of an NHWC tensor, as a strided conv's gradient needs.
   * The result has shape [n, h*sh, w*sw, c] (trailing zeros included; callers crop them with padOrCropSpatial).
   * Does not release the input.
   */
  dilateSpatial(x: TensorInfo, strideH: number, strideW: number): TensorInfo {
    const [n, h, w, c] = x.shape as [number, number, number, number];
    let current = this.reshape(x, [n * h, 1, w * c]);
    if (strideH > 1) {
      const padded = this.run("PadV2", { x: current }, { paddings: [[0, 0], [0, strideH - 1], [0, 0]], constantValue: 0 });
      this.release(current);
      current = padded;
    }
    current = this.reshapeAndRelease(current, [n * h * strideH, w, 1, c]);
    if (strideW > 1) {
      const padded = this.run(
        "PadV2",
        { x: current },
        { paddings: [[0, 0], [0, 0], [0, strideW - 1], [0, 0]], constantValue: 0 },
      );
      this.release(current);
      current = padded;
    }
    return this.reshapeAndRelease(current, [n, h * strideH, w * strideW, c]);
  }
}
