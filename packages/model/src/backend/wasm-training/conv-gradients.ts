/**
 * Gradient kernels of (depthwise) 2-D convolutions for the wasm backend, each rewritten as a FORWARD
 * convolution so it runs on XNNPACK's fast conv kernels (the shipped wasm backend has no filter gradients,
 * and its Conv2DBackpropInput is a plain loop).
 *
 * Notation: x [B,H,W,Ci], filter [KH,KW,Ci,Co], dy [B,Ho,Wo,Co], stride s, padding top/left pt/pl.
 * - filter gradient: dW[kh,kw,ci,co] = sum_{b,i,j} x[b, i*s+kh-pt, j*s+kw-pl, ci] * dy[b,i,j,co]
 *   = conv( x as [Ci,H,W,B] (batch<->channels), "filter" dy as [Ho,Wo,B,Co], dilation = s ) -> [Ci,KH,KW,Co].
 * - input gradient: dx = conv( dy with (s-1) zeros between samples, padded by K-1-p, filter rotated 180°
 *   with Ci/Co swapped ).
 * Only dilation 1 in the forward conv is supported (what our networks use); other cases throw, which the
 * self-check turns into a cpu fallback for training.
 */
import { tf } from "../../tf";
import { WasmKernels, type TensorInfo } from "./kernel-calls";

type ConvAttrs = {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dilations?: number | [number, number];
  dimRoundingMode?: "floor" | "round" | "ceil";
};

function assertNoDilation(dilations: ConvAttrs["dilations"], kernel: string): void {
  const [dh, dw] =
    typeof dilations === "number" || dilations == null ? [dilations ?? 1, dilations ?? 1] : dilations;
  if (dh !== 1 || dw !== 1) throw new Error(`${kernel} on wasm: dilated convolutions are not supported`);
}

function convInfo(xShape: number[], filterShape: number[], attrs: ConvAttrs, depthwise: boolean) {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
  );
}

/**
 * Rows/columns the (batch<->channel transposed) input must be padded (+) or cropped (-) by, so that a valid
 * conv with dilation = stride yields exactly filter-sized output.
 */
function filterGradPadding(info: tf.backend_util.Conv2DInfo) {
  const bottom =
    info.filterHeight + (info.outHeight - 1) * info.strideHeight - info.inHeight - info.padInfo.top;
  const right = info.filterWidth + (info.outWidth - 1) * info.strideWidth - info.inWidth - info.padInfo.left;
  return { top: info.padInfo.top, bottom, left: info.padInfo.left, right };
}

/** Padding of the zero-dilated dy (size Ho*s, trailing zeros included) so a valid conv yields the input size. */
function inputGradPadding(info: tf.backend_util.Conv2DInfo) {
  const top = info.filterHeight - 1 - info.padInfo.top;
  const left = info.filterWidth - 1 - info.padInfo.left;
  const bottom = info.inHeight + info.filterHeight - 1 - info.outHeight * info.strideHeight - top;
  const right = info.inWidth + info.filterWidth - 1 - info.outWidth * info.strideWidth - left;
  return { top, bottom, left, right };
}

export const conv2DBackpropFilterWasm: tf.KernelConfig = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const k = new WasmKernels(backend);
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as unknown as ConvAttrs & { filterShape: number[]; dataFormat?: string };
    if (a.dataFormat && a.dataFormat !== "NHWC") throw new Error("Conv2DBackpropFilter on wasm: NHWC only");
    const info = convInfo(x.shape, a.filterShape, a, false);
    const pad = filterGradPadding(info);
    const xT = k.cropSpatial(k.moveBatchToLast(x), pad.top, pad.bottom, pad.left, pad.right);
    const dyT = k.transpose(dy, [1, 2, 0, 3]);
    const grad = k.conv2d(xT.x, dyT, [info.strideHeight, info.strideWidth], xT.pad); // [Ci,KH,KW,Co]
    k.release(xT.x, dyT);
    return k.transposeAndRelease(grad, [1, 2, 0, 3]);
  },
};

export const conv2DBackpropInputWasm: tf.KernelConfig = {
  kernelName: "Conv2DBackpropInput",
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const k = new WasmKernels(backend);
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = attrs as unknown as ConvAttrs & { inputShape: number[]; dataFormat?: string };
    if (a.dataFormat && a.dataFormat !== "NHWC") throw new Error("Conv2DBackpropInput on wasm: NHWC only");
    const info = convInfo(a.inputShape, filter.shape, a, false);
    const pad = inputGradPadding(info);
    const dilated = k.dilateSpatial(dy, info.strideHeight, info.strideWidth);
    const dyP = k.cropSpatial(dilated, pad.top, pad.bottom, pad.left, pad.right);
    const rotated = k.transposeAndRelease(k.reverse(filter, [0, 1]), [0, 1, 3, 2]); // [KH,KW,Co,Ci]
    const dx = k.conv2d(dyP.x, rotated, [1, 1], dyP.pad);
    k.release(dyP.x, rotated);
    return dx;
  },
};

export const depthwiseBackpropFilterWasm: tf.KernelConfig = {
  kernelName: "DepthwiseConv2dNativeBackpropFilter",
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const k = new WasmKernels(backend);
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
    assertNoDilation(a.dilations, "DepthwiseConv2dNativeBackpropFilter");
    const info = convInfo(x.shape, a.filterShape, a, true);
    const [batch, height, width, channels] = x.shape as [number, number, number, number];
    const multiplier = a.filterShape[3] ?? 1;
    const outChannels = channels * multiplier;
    // With a channel multiplier M, output channel c*M+m reads input channel c: repeat x along a new last axis.
    let xm: TensorInfo = x;
    if (multiplier > 1) {
      const x5 = k.reshape(x, [batch, height, width, channels, 1]);
      xm = k.reshapeAndRelease(k.tile(x5, [1, 1, 1, 1, multiplier]), [batch, height, width, outChannels]);
      k.release(x5);
    }
    // Batch folded into channels: one image [1,H,W,B*C] convolved depthwise with "filter" dy [Ho,Wo,B*C,1].
    const xT = k.reshapeAndRelease(k.transpose(xm, [1, 2, 0, 3]), [1, height, width, batch * outChannels]);
    if (xm !== x) k.release(xm);
    const pad = filterGradPadding(info);
    const xP = k.cropSpatial(xT, pad.top, pad.bottom, pad.left, pad.right);
    const dyT = k.reshapeAndRelease(k.transpose(dy, [1, 2, 0, 3]), [
      info.outHeight,
      info.outWidth,
      batch * outChannels,
      1,
    ]);
    const perImage = k.depthwiseConv2d(xP.x, dyT, [info.strideHeight, info.strideWidth], xP.pad); // [1,KH,KW,B*C*M]
    k.release(xP.x, dyT);
    const split = k.reshapeAndRelease(perImage, [info.filterHeight, info.filterWidth, batch, outChannels]);
    const summed = k.sum(split, [2]);
    k.release(split);
    return k.reshapeAndRelease(summed, [info.filterHeight, info.filterWidth, channels, multiplier]);
  },
};

export const depthwiseBackpropInputWasm: tf.KernelConfig = {
  kernelName: "DepthwiseConv2dNativeBackpropInput",
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const k = new WasmKernels(backend);
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = attrs as unknown as ConvAttrs & { inputShape: number[] };
    assertNoDilation(a.dilations, "DepthwiseConv2dNativeBackpropInput");
    const info = convInfo(a.inputShape, filter.shape, a, true);
    const [batch, height, width, channels] = a.inputShape as [number, number, number, number];
    const [kh, kw, , multiplier] = filter.shape as [number, number, number, number];
    const pad = inputGradPadding(info);
    const dyP = k.cropSpatial(
      k.dilateSpatial(dy, info.strideHeight, info.strideWidth),
      pad.top,
      pad.bottom,
      pad.left,
      pad.right,
    );
    const rotated = k.reshapeAndRelease(k.reverse(filter, [0, 1]), [kh, kw, channels * multiplier, 1]);
    const dx = k.depthwiseConv2d(dyP.x, rotated, [1, 1], dyP.pad); // [B,H,W,C*M]
    k.release(dyP.x, rotated);
    if (multiplier === 1) return dx;
    const split = k.reshapeAndRelease(dx, [batch, height, width, channels, multiplier]);
    const summed = k.sum(split, [4]);
    k.release(split);
    return summed;
  },
};
