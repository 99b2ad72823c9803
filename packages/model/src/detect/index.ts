// Face detection: BlazeFace (weights shipped in an npm package) over a multi-scale tiling, one NMS.
export {
  DETECTOR_DEFAULTS,
  createFaceDetector,
  planPasses,
  type DetectOptions,
  type DetectedFace,
  type DetectionResult,
  type FaceDetector,
  type FaceDetectorConfig,
  type SkippedFace,
} from "./detector";
export { blazefaceModelPath, fileGraphModelHandler } from "./blazeface-model";
export { iou, nonMaxSuppression } from "./geometry";
export type { DetectionPass } from "./passes";
export { matchFaces, parseDlibBoxes, readDlibBoxes } from "./evaluation";
