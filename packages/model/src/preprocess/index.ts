// Image bytes -> model input. The ONE preprocessing path shared by trainer, API and bench.
export * from "./constants";
export {
  decodeImage,
  inspectImage,
  type DecodedImage,
  type DecodeLimits,
  type ImageHeader,
  type ImageInput,
  type InspectedImage,
} from "./decode";
export { cropFace, cropFrame, preprocessCrop, type CropOptions } from "./crop";
export {
  FER_CENTRE_ABOVE_BOX_CENTRE,
  FER_KEYPOINT_TEMPLATE,
  FER_SIDE_PER_BOX_SIDE,
  boxFrame,
  faceFrame,
  type FaceFrame,
  type FaceToCrop,
} from "./face-frame";
export { toModelInput } from "./tensor";
export { mirrorCrop } from "./mirror";
export {
  applyInputFilter,
  describeInputFilter,
  parseInputFilter,
  validateInputFilter,
  NO_INPUT_FILTER,
  type InputFilter,
} from "./input-filter";
