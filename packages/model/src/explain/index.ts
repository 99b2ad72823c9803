// Why the classifier said what it said: saliency maps over the 48x48 face crop.
export {
  computeSaliency,
  computeSaliencies,
  SALIENCY_DEFAULTS,
  type SaliencyMap,
  type SaliencyOptions,
} from "./saliency";
export { saliencyToPng, saliencyToDataUrl, type SaliencyPngOptions } from "./png";
export { startSaliencyThread, type SaliencyThread } from "./saliency-thread";
