export { measureActivationRanges } from "./activation-ranges";
export { exportOnnx, ONNX_INPUT_NAME, ONNX_OUTPUT_NAME, type ExportOnnxOptions } from "./export";
export {
  createOnnxClassifier,
  loadOnnxRuntime,
  onnxRuntimeProblem,
  type OnnxClassifier,
  type OnnxClassifierOptions,
} from "./classifier";
