// Image bytes -> model input. The ONE preprocessing path shared by trainer, API and bench.
export * from "./constants";
export { decodeImage, inspectImage, type DecodedImage, type DecodeLimits, type ImageInput } from "./decode";
export { cropFace, preprocessCrop, squareRegion, type CropOptions, type SquareRegion } from "./crop";
export { toModelInput } from "./tensor";
export {
  applyInputFilter,
  describeInputFilter,
  parseInputFilter,
  validateInputFilter,
  NO_INPUT_FILTER,
  type InputFilter,
} from "./input-filter";
