export {
  NO_CALIBRATION,
  applyCalibration,
  applyCalibrationToRows,
  calibrationOf,
  inverseCalibration,
  isIdentityCalibration,
  validateCalibration,
  type ServedCalibration,
} from "./served-calibration";
