export { createTracker, restoreTracker, type Tracker, type TrackerSnapshot } from "./tracker";
export { DEFAULT_TRACKER_CONFIG, resolveTrackerConfig, type TrackerOptions } from "./config";
export { iou, centreDistance } from "./matching";
