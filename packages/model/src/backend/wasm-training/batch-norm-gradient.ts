/**
 * Gradient of FusedBatchNorm written with broadcasting ops only. tfjs' own gradient broadcasts
 * 1/sqrt(var+eps) over the whole activation with tile(), which materialises a full-size tensor per layer
 * and dominates a wasm training step. Same math, registered for every backend (gradients are global).
 */
import { tf } from "../../tf";

/** Axes of `full` along which a broadcast `small` (rank <= full) was repeated. */
function broadcastAxes(small: readonly number[], full: readonly number[]): number[] {
  const axes: number[] = [];
  const offset = full.length - small.length;
  for (let axis = 0; axis < full.length; axis++) {
    const smallDim = axis < offset ? 1 : small[axis - offset];
    if (smallDim === 1 && full[axis] !== 1) axes.push(axis);
  }
  return axes;
}

export const batchNormGradient: tf.GradConfig = {
  kernelName: "FusedBatchNorm",
  inputsToSave: ["x", "mean", "variance", "scale"],
  gradFunc: (dy, saved, attrs) => {
    const gradient = dy as tf.Tensor;
    const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
    const epsilon = (attrs as { varianceEpsilon: number }).varianceEpsilon;
    const axes = broadcastAxes(mean.shape, x.shape);
    const reduce = (t: tf.Tensor) => (axes.length > 0 ? tf.sum(t, axes) : t);

    const invStd = tf.rsqrt(tf.add(variance, epsilon));
    const scaledInvStd = scale == null ? invStd : tf.mul(invStd, scale);
    // sum(dy * (x - mean)) feeds both the variance and the scale gradient. Computed here, not lazily in a
    // thunk: the engine runs each thunk in its own tidy(), which would dispose a memoised tensor.
    const dyDotCentered = reduce(tf.mul(gradient, tf.sub(x, mean)));

    return {
      x: () => tf.mul(gradient, scaledInvStd),
      mean: () => tf.reshape(tf.neg(tf.mul(reduce(gradient), scaledInvStd)), mean.shape),
      variance: () =>
        tf.reshape(tf.mul(dyDotCentered, tf.mul(scaledInvStd, tf.mul(tf.square(invStd), -0.5))), mean.shape),
      scale: () => tf.reshape(tf.mul(dyDotCentered, invStd), mean.shape),
      offset: () => tf.reshape(reduce(gradient), mean.shape),
    };
  },
};
