/**
 * The one TensorFlow.js instance of the whole platform. Everything (trainer, API, bench, this package)
 * imports `tf` from here, so kernels, backends and gradients registered once apply everywhere.
 *
 * `@tensorflow/tfjs` bundles core + layers + converter + the cpu backend; importing the wasm backend
 * registers it on the same core (npm hoists a single @tensorflow/tfjs-core).
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

// The pure-JS cpu backend prints a multi-line "install tfjs-node" banner on first use. We pick backends
// deliberately (see backend/), so the banner is noise; PROD also silences tfjs' other console warnings.
tf.env().set("PROD", true);

export { tf };
export type Tensor = tf.Tensor;
export type LayersModel = tf.LayersModel;
