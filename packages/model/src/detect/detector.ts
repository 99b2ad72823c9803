import { availableParallelism } from "node:os";
import { AppError, type Box, type Point } from "@moodlens/shared";
import type { DecodedImage } from "../preprocess";

import {
  BLAZEFACE_INPUT_SIZE,
  BLAZEFACE_REGRESSORS,
  blazefaceAnchorGrid,
  blazefaceModelPath,
  loadBlazeface,
  outputsFromRows,
  runBlazeface,
  type BlazefaceOutputs,
} from "./blazeface-model";
import { blazefaceOnnxBytes, openOnnxBlazeface, type OnnxBlazeface } from "./blazeface-onnx";
import { clipBox, nonMaxSuppression } from "./geometry";
import { planPasses, type DetectionPass } from "./passes";
import { renderFixedView, renderLevel, toNetworkInput, viewInput, type LevelRaster } from "./views";
import type { BackendPreference } from "../backend";
import { outputGap } from "../onnx/parity";
import type { tf } from "../tf";
import {
  startBlazefaceThread,
  startOnnxViewThread,
  type BlazefaceThread,
  type OnnxViewThread,
} from "./threads";

export const DETECTOR_DEFAULTS = {
  /** Faces smaller than this (longer box side, original pixels) are reported in `skipped`, not classified. */
  minFaceSize: 24,
  scoreThreshold: 0.6,
  iouThreshold: 0.3,
  /** Fraction of the smaller box inside a higher-scoring one above which it is the same face seen at another scale. */
  containThreshold: 0.5,
  maxFaces: 100,
  /** "auto": tiles at higher zoom when the whole image is too coarse for faces of minFaceSize; "off": one pass. */
  tiling: "auto" as "auto" | "off",
  maxTileLevels: 4,
  tileOverlap: 0.25,
  maxUpscale: 2,
  /**
   * One more whole-image view with this share of the image's longer side added on every side as edge-replicated
   * pixels (0 = none): faces that fill the photo or touch its borders (close-up portraits) are found and placed far
   * better with context around them (docs/photo-framing.md, "Close-up portraits"). One extra network run per image.
   */
  borderView: 0.3,
  /**
   * A face whose box comes closer to an image edge than this share of its own side takes the border view's box when
   * the border view finds it, whatever the scores: lacking context on that side, the plain views place its keypoints
   * worse (close-up portraits, docs/photo-framing.md). Elsewhere the plain views' box wins, seeing the face at a
   * higher resolution. (Measured on the full photo-path check: this rule, "large faces take it" and "the best score
   * wins" gave the same accuracy within 2 of 626 faces.) 0: never.
   */
  borderViewPreferred: 0.3,
  /**
   * Largest side of one view, in network input pixels (multiple of 32, 256..2048), on the ONNX engine, whose
   * converted graph takes any input size: each tile level is the image resized once and cut into as few views of up
   * to this side as cover it (overlap tileOverlap * 256 px), instead of many letterboxed 256x256 tiles. Same scales,
   * same faces per level; about half the network work on large photos. 256 = the classic fixed 256x256 views
   * (the tfjs engine always uses those: its graph is fixed-size).
   */
  maxViewSide: 384,
  /**
   * On the tfjs engine: extra worker threads running the network beside this thread (tfjs-wasm uses one core per
   * isolate). Views of one image are shared between them, so a single image is detected faster too.
   */
  workers: 0,
  /**
   * "auto": onnxruntime when it loads and the converted graph matches tfjs on a probe view (3x faster measured
   * under load, see blazeface-onnx.ts), else tfjs. "tfjs"/"onnx" force one ("onnx" unavailable = error).
   */
  engine: "auto" as "auto" | "onnx" | "tfjs",
  /**
   * On the ONNX engine: worker threads with their own onnxruntime session beside this thread's. onnxruntime-node
   * computes on the JS thread that calls it, so this is how one photo's views use more than one core (measured on
   * 2 cores: detection 25 % faster with 1 worker, same CPU; intra-op threads instead were slower). A worker that
   * fails to start is left out (`engine.workerFallbackReason`), not an error.
   */
  onnxWorkers: Math.max(0, Math.min(3, availableParallelism() - 1)),
};
/** Smallest face BlazeFace finds reliably, in its own input pixels. */
const MIN_DETECTABLE_INPUT_FACE = 16;
/** Smaller candidates are dropped: found ~65 % of the time at 10-12 px, and placed unreliably below that. */
const MIN_CANDIDATE_INPUT_FACE = 11;

export type FaceDetectorConfig = Partial<typeof DETECTOR_DEFAULTS> & {
  modelPath?: string;
  /** tfjs backend of the worker threads (default: auto). */
  workerBackend?: BackendPreference;
};
export type DetectOptions = Partial<
  Pick<typeof DETECTOR_DEFAULTS, "minFaceSize" | "scoreThreshold" | "maxFaces" | "tiling">
>;

export interface DetectedFace {
  /** In original-image pixels (after EXIF orientation), clipped to the image. */
  box: Box;
  score: number;
  /** BlazeFace keypoints: right eye, left eye, nose tip, mouth, right ear tragion, left ear tragion (subject's sides). */
  landmarks: Point[];
}

export interface SkippedFace {
  box: Box;
  score: number;
  /** too-small: under minFaceSize; over-limit: found after maxFaces faces were kept (never silently dropped). */
  reason: "too-small" | "over-limit";
}

export interface DetectionResult {
  faces: DetectedFace[];
  skipped: SkippedFace[];
  /** How many 256x256 views the network looked at. */
  passes: number;
}

export interface FaceDetector {
  detect(image: DecodedImage, options?: DetectOptions): Promise<DetectionResult>;
  readonly config: Readonly<typeof DETECTOR_DEFAULTS>;
  /**
   * The engine actually running the network, why ONNX was not used when engine was "auto", how many worker threads
   * run it beside this thread, and why fewer than configured started.
   */
  readonly engine: {
    name: "onnx" | "tfjs";
    fallbackReason?: string;
    workerThreads: number;
    workerFallbackReason?: string;
  };
  dispose(): Promise<void>;
}

function validate(config: typeof DETECTOR_DEFAULTS): void {
  const problems: string[] = [];
  const check = (ok: boolean, message: string) => ok || problems.push(message);
  check(config.minFaceSize >= 0, "minFaceSize must be >= 0");
  check(config.scoreThreshold > 0 && config.scoreThreshold < 1, "scoreThreshold must be in (0, 1)");
  check(config.iouThreshold > 0 && config.iouThreshold <= 1, "iouThreshold must be in (0, 1]");
  check(config.containThreshold > 0 && config.containThreshold <= 1, "containThreshold must be in (0, 1]");
  check(Number.isInteger(config.maxFaces) && config.maxFaces > 0, "maxFaces must be a positive integer");
  check(config.tiling === "auto" || config.tiling === "off", 'tiling must be "auto" or "off"');
  check(config.tileOverlap >= 0 && config.tileOverlap < 1, "tileOverlap must be in [0, 1)");
  check(config.borderView >= 0 && config.borderView <= 1, "borderView must be in [0, 1]");
  check(config.borderViewPreferred >= 0, "borderViewPreferred must be >= 0");
  check(
    Number.isInteger(config.workers) && config.workers >= 0 && config.workers <= 8,
    "workers must be an integer 0..8",
  );
  check(["auto", "onnx", "tfjs"].includes(config.engine), 'engine must be "auto", "onnx" or "tfjs"');
  check(
    Number.isInteger(config.maxViewSide) &&
      config.maxViewSide % 32 === 0 &&
      config.maxViewSide >= 256 &&
      config.maxViewSide <= 2048,
    "maxViewSide must be a multiple of 32 in 256..2048",
  );
  check(
    Number.isInteger(config.onnxWorkers) && config.onnxWorkers >= 0 && config.onnxWorkers <= 8,
    "onnxWorkers must be an integer 0..8",
  );
  if (problems.length > 0) {
    throw new AppError("CONFIG_INVALID", `invalid face detector configuration: ${problems.join("; ")}`);
  }
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

interface Candidate extends DetectedFace {
  level: number;
  border?: boolean;
}

/** Turns one view's network outputs into boxes in original-image pixels. */
function decodePass(
  outputs: BlazefaceOutputs,
  pass: DetectionPass,
  image: DecodedImage,
  scoreThreshold: number,
): Candidate[] {
  const candidates: Candidate[] = [];
  const logitThreshold = Math.log(scoreThreshold / (1 - scoreThreshold));
  const toImage = (x: number, y: number): Point => ({
    x: pass.left + x / pass.scale,
    y: pass.top + y / pass.scale,
  });
  const margin = 2; // input pixels
  const extentX = pass.width * pass.scale;
  const extentY = pass.height * pass.scale;
  // In input pixels: flexible views' regions are raster spans / scale, so compare with a pixel of tolerance.
  const innerEdges = {
    left: pass.left * pass.scale > 0.5,
    top: pass.top * pass.scale > 0.5,
    right: (pass.left + pass.width) * pass.scale < image.width * pass.scale - 1,
    bottom: (pass.top + pass.height) * pass.scale < image.height * pass.scale - 1,
  };
  const anchors = blazefaceAnchorGrid(pass.inputWidth, pass.inputHeight);
  let firstAnchor = 0; // of the current grid, in the anchor order of `anchors`
  for (const { logits, regressors } of outputs.grids) {
    const count = Math.min(logits.length, anchors.length / 2 - firstAnchor);
    for (let index = 0; index < count; index++) {
      const logit = logits[index]!;
      if (logit < logitThreshold) continue;
      const anchorX = anchors[(firstAnchor + index) * 2]!;
      const anchorY = anchors[(firstAnchor + index) * 2 + 1]!;
      const values = index * BLAZEFACE_REGRESSORS;
      const centreX = anchorX + regressors[values]!;
      const centreY = anchorY + regressors[values + 1]!;
      const width = regressors[values + 2]!;
      const height = regressors[values + 3]!;
      const side = Math.max(width, height);
      // Below MIN_CANDIDATE_INPUT_FACE the network's boxes are noise (measured: spurious boxes over crowds at ~8 px).
      if (!(side >= Math.max(MIN_CANDIDATE_INPUT_FACE, pass.minFaceInput ?? 0)) || side > pass.maxFaceInput)
        continue;
      // A face cut by a tile edge that is not an image edge is seen whole by an overlapping tile (or a coarser level).
      const left = centreX - width / 2;
      const top = centreY - height / 2;
      if (
        (innerEdges.left && left < margin) ||
        (innerEdges.top && top < margin) ||
        (innerEdges.right && left + width > extentX - margin) ||
        (innerEdges.bottom && top + height > extentY - margin)
      ) {
        continue;
      }
      const topLeft = toImage(left, top);
      const box = clipBox(
        { x: topLeft.x, y: topLeft.y, width: width / pass.scale, height: height / pass.scale },
        image.width,
        image.height,
      );
      if (!box) continue;
      const landmarks: Point[] = [];
      for (let point = 0; point < 6; point++) {
        landmarks.push(
          toImage(
            anchorX + regressors[values + 4 + point * 2]!,
            anchorY + regressors[values + 5 + point * 2]!,
          ),
        );
      }
      candidates.push({
        box,
        score: sigmoid(logit),
        landmarks,
        level: pass.level,
        ...(pass.border ? { border: true } : {}),
      });
    }
    firstAnchor += logits.length;
  }
  return candidates;
}

const roundBox = (box: Box): Box => ({
  x: Math.round(box.x * 10) / 10,
  y: Math.round(box.y * 10) / 10,
  width: Math.round(box.width * 10) / 10,
  height: Math.round(box.height * 10) / 10,
});

type ViewRunner = (input: Float32Array, width: number, height: number) => Promise<BlazefaceOutputs>;
type FixedViewRunner = (pixels: Uint8Array) => Promise<BlazefaceOutputs>;

/** What runs the network: onnxruntime sessions (this thread's and its workers'), or tfjs here and in tfjs workers. */
interface DetectorEngines {
  /** The converted graph in this thread, when the ONNX engine is used. */
  session: OnnxBlazeface | undefined;
  onnxThreads: OnnxViewThread[];
  tfjsThreads: BlazefaceThread[];
  /** Runners of views of any size on onnxruntime: this thread's session and each worker's. */
  viewRunners: ViewRunner[];
  /** Runners of fixed 256x256 views, one per view in flight: each onnxruntime session, or this thread and each tfjs worker. */
  fixedViewRunners: FixedViewRunner[];
  fallbackReason: string | undefined;
  workerFallbackReason: string | undefined;
}

/**
 * Loads BlazeFace from the @vladmandic/human package folder (no network) and returns a detector that looks at the
 * whole image plus, for large images, zoomed overlapping tiles, merging everything with one NMS.
 */
export async function createFaceDetector(config: FaceDetectorConfig = {}): Promise<FaceDetector> {
  const { modelPath, workerBackend, ...overrides } = config;
  const settings = { ...DETECTOR_DEFAULTS, ...overrides };
  validate(settings);
  const model = await loadBlazeface(modelPath ?? blazefaceModelPath());
  const engines = await startEngines(settings, model, { modelPath, workerBackend });
  const { session, onnxThreads, tfjsThreads } = engines;
  // Only the converted ONNX graph takes views of any size.
  const flexible = session !== undefined && settings.maxViewSide > BLAZEFACE_INPUT_SIZE;
  let disposed = false;

  async function detect(image: DecodedImage, options: DetectOptions = {}): Promise<DetectionResult> {
    if (disposed) throw new AppError("INTERNAL", "the face detector was disposed");
    const call = { ...settings, ...options };
    validate(call);
    const plan = { ...planOf(call), ...(flexible ? { maxViewSide: call.maxViewSide } : {}) };
    const passes = planPasses(
      image.width,
      image.height,
      call.tiling === "off" ? { ...plan, maxLevels: 0 } : plan,
    );
    const outputs = flexible
      ? await runFlexiblePasses(engines.viewRunners, image, passes)
      : await runFixedPasses(engines.fixedViewRunners, image, passes);
    const candidates = outputs.flatMap((output, index) =>
      decodePass(output, passes[index]!, image, call.scoreThreshold),
    );
    // Faces at the image's edges take the border view's box: seen with context on every side, it is placed better.
    const atEdge = ({ box }: { box: Box }) =>
      Math.min(box.x, box.y, image.width - box.x - box.width, image.height - box.y - box.height) <
      call.borderViewPreferred * Math.max(box.width, box.height);
    const kept = nonMaxSuppression(
      candidates,
      call.iouThreshold,
      call.containThreshold,
      Number.POSITIVE_INFINITY,
      // Elsewhere the plain views' box wins (they see the face at a higher resolution); the border view keeps
      // the faces only it found.
      (candidate) => (candidate.border ? candidate.score + (atEdge(candidate) ? 1 : -1) : candidate.score),
    ).sort((a, b) => b.score - a.score);
    return { ...sortKept(kept, call), passes: passes.length };
  }

  return {
    detect,
    config: settings,
    engine: {
      name: session ? "onnx" : "tfjs",
      ...(engines.fallbackReason ? { fallbackReason: engines.fallbackReason } : {}),
      workerThreads: session ? onnxThreads.length : tfjsThreads.length,
      ...(engines.workerFallbackReason ? { workerFallbackReason: engines.workerFallbackReason } : {}),
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      model.dispose();
      await session?.dispose();
      await Promise.all([...tfjsThreads, ...onnxThreads].map((thread) => thread.terminate()));
    },
  };
}

/**
 * The ONNX engine when allowed and its conversion checks out (plus its worker threads), else tfjs here and in
 * `settings.workers` tfjs worker threads. Disposes the model if it throws (a forced engine that cannot start).
 */
async function startEngines(
  settings: typeof DETECTOR_DEFAULTS,
  model: tf.GraphModel,
  options: { modelPath: string | undefined; workerBackend: BackendPreference | undefined },
): Promise<DetectorEngines> {
  const onnx =
    settings.engine === "tfjs" ? undefined : await startOnnxEngine(settings, model, options.modelPath);
  const session = onnx?.session;
  const onnxThreads = onnx?.threads ?? [];
  const tfjsThreads: BlazefaceThread[] = [];
  try {
    for (let i = 0; i < (session ? 0 : settings.workers); i++) {
      tfjsThreads.push(
        await startBlazefaceThread({
          ...(options.workerBackend ? { backend: options.workerBackend } : {}),
          ...(options.modelPath ? { modelPath: options.modelPath } : {}),
        }),
      );
    }
  } catch (error) {
    model.dispose();
    await Promise.all(tfjsThreads.map((thread) => thread.terminate()));
    throw error;
  }
  const viewRunners: ViewRunner[] = session
    ? [
        (input, width, height) => session.runView(input, width, height),
        ...onnxThreads.map((thread) => thread.runView),
      ]
    : [];
  const fixedViewRunners: FixedViewRunner[] = session
    ? viewRunners.map(
        (run) => (pixels: Uint8Array) =>
          run(toNetworkInput(pixels), BLAZEFACE_INPUT_SIZE, BLAZEFACE_INPUT_SIZE),
      )
    : [
        async (pixels) => outputsFromRows(runBlazeface(model, pixels)),
        ...tfjsThreads.map(
          (thread) => async (pixels: Uint8Array) => outputsFromRows(await thread.run(pixels)),
        ),
      ];
  return {
    session,
    onnxThreads,
    tfjsThreads,
    viewRunners,
    fixedViewRunners,
    fallbackReason: onnx?.fallbackReason,
    workerFallbackReason: onnx?.workerFallbackReason,
  };
}

/** Converts BlazeFace to ONNX, checks it against tfjs and starts its worker threads; "auto" falls back with a reason. */
async function startOnnxEngine(
  settings: typeof DETECTOR_DEFAULTS,
  model: tf.GraphModel,
  modelPath: string | undefined,
): Promise<{
  session?: OnnxBlazeface;
  threads: OnnxViewThread[];
  fallbackReason?: string;
  workerFallbackReason?: string;
}> {
  let session: OnnxBlazeface | undefined;
  const threads: OnnxViewThread[] = [];
  try {
    const bytes = await blazefaceOnnxBytes(modelPath ?? blazefaceModelPath());
    session = await openOnnxBlazeface(bytes);
    await checkBlazefaceConversion(session, model);
    const workerFallbackReason = await startAll(
      settings.onnxWorkers,
      () => startOnnxViewThread(bytes),
      threads,
    );
    return { session, threads, ...(workerFallbackReason ? { workerFallbackReason } : {}) };
  } catch (error) {
    await session?.dispose();
    if (settings.engine === "onnx") {
      model.dispose();
      throw error;
    }
    return {
      threads: [],
      fallbackReason: error instanceof Error ? error.message.split("\n")[0]! : String(error),
    };
  }
}

/**
 * Runs every view through the converted graph; each runner (this thread's session, each worker's) pulls the next
 * view when free. Views are cut from one resized raster per level (libvips resizes each level once) straight into
 * the network's float input.
 */
async function runFlexiblePasses(
  runners: ViewRunner[],
  image: DecodedImage,
  passes: DetectionPass[],
): Promise<BlazefaceOutputs[]> {
  const outputs: BlazefaceOutputs[] = new Array<BlazefaceOutputs>(passes.length);
  let next = 0;
  const take = () => (next < passes.length ? next++ : undefined);
  const rasters = new Map<number, Promise<LevelRaster>>();
  // Finest level first, from the image; each coarser one from the finest downscaled raster (never from an
  // enlarged one: maxUpscale lets small images be zoomed).
  const scales = [...new Set(passes.map((pass) => pass.scale))].sort((a, b) => b - a);
  let source: Promise<LevelRaster> | undefined;
  for (const scale of scales) {
    const raster = source
      ? source.then((finer) => renderLevel(image, scale, finer))
      : renderLevel(image, scale);
    rasters.set(scale, raster);
    if (!source && scale <= 1) source = raster;
  }
  // Settle every resize even when one fails (no unhandled rejection); the failure surfaces below.
  await Promise.allSettled(rasters.values());
  await Promise.all(
    runners.map(async (run) => {
      for (let index = take(); index !== undefined; index = take()) {
        const pass = passes[index]!;
        const input = viewInput(await rasters.get(pass.scale)!, pass);
        outputs[index] = await run(input, pass.inputWidth, pass.inputHeight);
      }
    }),
  );
  return outputs;
}

/** Fixed 256x256 views: each runner pulls the next view when free, with libvips rendering one ahead of each. */
async function runFixedPasses(
  runners: FixedViewRunner[],
  image: DecodedImage,
  passes: DetectionPass[],
): Promise<BlazefaceOutputs[]> {
  const outputs: BlazefaceOutputs[] = new Array<BlazefaceOutputs>(passes.length);
  let next = 0;
  const take = () => (next < passes.length ? next++ : undefined);
  await Promise.all(
    runners.map(async (engine) => {
      let index = take();
      let rendering = index === undefined ? undefined : renderFixedView(image, passes[index]!);
      while (index !== undefined && rendering) {
        const pixels = await rendering;
        const current = index;
        index = take();
        rendering = index === undefined ? undefined : renderFixedView(image, passes[index]!);
        outputs[current] = await engine(pixels);
      }
    }),
  );
  return outputs;
}

/** Faces kept by NMS, best first: too small ones and those beyond maxFaces are reported as skipped. */
function sortKept(
  kept: readonly Candidate[],
  call: typeof DETECTOR_DEFAULTS,
): { faces: DetectedFace[]; skipped: SkippedFace[] } {
  const faces: DetectedFace[] = [];
  const skipped: SkippedFace[] = [];
  for (const { box, score, landmarks } of kept) {
    const rounded = roundBox(box);
    if (Math.max(box.width, box.height) < call.minFaceSize)
      skipped.push({ box: rounded, score, reason: "too-small" });
    else if (faces.length < call.maxFaces) faces.push({ box: rounded, score, landmarks });
    else skipped.push({ box: rounded, score, reason: "over-limit" });
  }
  return { faces, skipped };
}

/** Starts up to `count` workers into `started`; stops at the first failure and returns its message. */
async function startAll<T>(
  count: number,
  start: () => Promise<T>,
  started: T[],
): Promise<string | undefined> {
  for (let i = 0; i < count; i++) {
    try {
      started.push(await start());
    } catch (error) {
      return error instanceof Error ? error.message.split("\n")[0] : String(error);
    }
  }
  return undefined;
}

/** A deterministic probe view: gradients and soft blobs, enough to exercise every layer. */
function probeView(): Uint8Array {
  const size = BLAZEFACE_INPUT_SIZE;
  const view = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const blob = Math.exp(-((x - 100) ** 2 + (y - 120) ** 2) / 1800);
      view.set([(x + y) % 256, Math.round(255 * blob), (x * 3) % 256], (y * size + x) * 3);
    }
  }
  return view;
}

/** The converted graph must compute what the tfjs graph computes (relative error 1e-4 of the output range). */
async function checkBlazefaceConversion(onnx: OnnxBlazeface, model: tf.GraphModel): Promise<void> {
  const view = probeView();
  const expected = runBlazeface(model, view);
  const [actual] = await onnx.run([view]);
  const gap = outputGap([expected], [actual!]);
  const worst = gap.worst;
  const range = Math.max(1, gap.range);
  if (!(worst <= range * 1e-4)) {
    throw new AppError(
      "MODEL_INVALID",
      `BlazeFace ONNX conversion differs from tfjs by ${worst} (range ${range})`,
    );
  }
}

function planOf(call: typeof DETECTOR_DEFAULTS) {
  return {
    inputSize: BLAZEFACE_INPUT_SIZE,
    minDetectableInput: MIN_DETECTABLE_INPUT_FACE,
    // Faces a little under minFaceSize are still often found (and reported as skipped); zooming further for them
    // would multiply the tiles, so the plan targets minFaceSize itself.
    minFaceSize: Math.max(8, call.minFaceSize),
    overlap: call.tileOverlap,
    maxLevels: call.maxTileLevels,
    maxUpscale: call.maxUpscale,
    borderMargin: call.borderView,
  };
}

export { planPasses };
