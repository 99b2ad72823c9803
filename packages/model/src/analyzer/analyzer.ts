import { AppError, EMOTIONS, dominantEmotion, isAppError, valenceOf } from "@moodlens/shared";
import { DEFAULT_MODEL_DIR, loadModelArtifacts } from "../artifacts";
import { selectBackend, type BackendName, type BackendPreference } from "../backend";
import { createFaceDetector, type DetectedFace } from "../detect";
import {
  computeSaliencies,
  computeSaliency,
  startSaliencyThread,
  type SaliencyMap,
  type SaliencyOptions,
  type SaliencyThread,
} from "../explain";
import {
  INPUT_SIZE,
  NO_INPUT_FILTER,
  applyInputFilter,
  cropFace,
  decodeImage,
  type DecodedImage,
  type ImageInput,
} from "../preprocess";
import { applyCalibration, calibrationOf } from "../calibration";
import { createTfjsClassifier, type EmotionClassifier } from "./classifier";
import { ANALYZER_DEFAULTS, validateAnalyzerConfig, type FaceAnalyzerConfig } from "./config";
import { loadClassifier } from "./load-classifier";
import type { AnalysisResult, AnalyzeOptions, AnalyzedFace, AnalyzerInfo, ModelInfo } from "./types";

/** Faces per saliency gradient pass: the thread is held for one pass (~0.3-1.5 s of the deep model on wasm). */
const EXPLAIN_CHUNK = 1;

export interface FaceAnalyzer {
  /** Decode -> detect -> crop -> classify (-> explain) one encoded image. */
  analyze(image: ImageInput, options?: AnalyzeOptions): Promise<AnalysisResult>;
  /** Detect -> crop -> classify (-> explain) an image already decoded (a video frame); `decodeMs` is 0. */
  analyzeDecoded(image: DecodedImage, options?: AnalyzeOptions): Promise<AnalysisResult>;
  /** Served probabilities (EMOTIONS order, calibrated: temperature and class bias) for 48x48 gray crops, batched. */
  classifyFaces(crops: readonly Uint8Array[], options?: { tta?: boolean }): Promise<number[][]>;
  /** Saliency map of one 48x48 gray crop for its predicted (or the given) emotion. */
  explain(crop: Uint8Array, options?: SaliencyOptions): SaliencyMap;
  /**
   * Saliency maps of many 48x48 gray crops (for the given class indices, else each crop's predicted one), computed
   * in a worker thread so the caller's event loop keeps answering (analyze's explain goes this way).
   */
  explainCrops(crops: readonly Uint8Array[], classIndices?: readonly number[]): Promise<SaliencyMap[]>;
  readonly info: AnalyzerInfo;
  dispose(): Promise<void>;
}

const elapsed = (start: number) => Math.round((performance.now() - start) * 100) / 100;

async function loadModel(modelDir: string, isDefaultDir: boolean) {
  try {
    return await loadModelArtifacts(modelDir);
  } catch (error) {
    if (isAppError(error) && error.code === "MODEL_NOT_TRAINED") {
      throw new AppError("MODEL_NOT_TRAINED", error.message, {
        cause: error,
        details: { modelDir },
        hint: isDefaultDir
          ? "train one with `npm run trainer -- train ...` (it exports to models/default), or set modelDir"
          : "train one with `npm run trainer -- train ...` and point modelDir at its export",
      });
    }
    throw error;
  }
}

type Settings = typeof ANALYZER_DEFAULTS;
type LoadedParts = Awaited<ReturnType<typeof loadModel>>;
type FaceDetector = Awaited<ReturnType<typeof createFaceDetector>>;

/**
 * Loads everything once (backend, detector, classifier, model) and validates the config up front:
 * CONFIG_INVALID for bad settings, MODEL_NOT_TRAINED when the directory holds no model, MODEL_INVALID for a
 * corrupt or mismatched one. The returned analyzer is safe to call concurrently.
 */
export async function createFaceAnalyzer(config: FaceAnalyzerConfig = {}): Promise<FaceAnalyzer> {
  validateAnalyzerConfig(config);
  const settings: Settings = { ...ANALYZER_DEFAULTS, ...stripUndefined(config) };
  const modelDir = config.modelDir ?? DEFAULT_MODEL_DIR;
  const log = config.logger ?? (() => {});
  const backend = await selectBackend(config.backend, { logger: log });
  const loaded = await loadModel(modelDir, config.modelDir === undefined);
  let detector: FaceDetector | undefined;
  try {
    detector = await createFaceDetector({
      ...(config.backend ? { workerBackend: config.backend } : {}),
      ...config.detector,
    });
    const classifiers = await loadClassifiers(loaded, settings, log);
    const info = describeAnalyzer(modelDir, loaded, backend.name, detector, classifiers, settings);
    return assembleAnalyzer(loaded, detector, classifiers, settings, info, {
      modelDir,
      backend: config.backend,
      log,
    });
  } catch (error) {
    await detector?.dispose();
    loaded.model.dispose();
    throw error;
  }
}

/** The classifier for each TTA choice: the configured one now, the other built lazily on the same engine. */
interface Classifiers {
  primary: EmotionClassifier;
  fallbackReason: string | undefined;
  forTta(tta: boolean): Promise<EmotionClassifier>;
  dispose(): Promise<void>;
}

async function loadClassifiers(
  { model, metadata, onnxPath }: LoadedParts,
  settings: Settings,
  log: (line: string) => void,
): Promise<Classifiers> {
  const engineOptions = {
    size: INPUT_SIZE,
    calibration: calibrationOf(metadata),
    quantized: metadata.onnxQuantization !== undefined,
  };
  const loaded = await loadClassifier(settings.classifier, model, onnxPath, {
    ...engineOptions,
    tta: settings.tta,
  });
  if (loaded.fallbackReason) log(`moodlens: classifying with tfjs (${loaded.fallbackReason})`);
  const primary = loaded.classifier;
  const built: { plain?: EmotionClassifier; tta?: EmotionClassifier } = {
    [settings.tta ? "tta" : "plain"]: primary,
  };
  return {
    primary,
    fallbackReason: loaded.fallbackReason,
    async forTta(tta) {
      const key = tta ? "tta" : "plain";
      const existing = built[key];
      if (existing) return existing;
      const created =
        primary.kind === "tfjs"
          ? createTfjsClassifier(model, { tta })
          : (await loadClassifier("onnx", model, onnxPath, { ...engineOptions, tta })).classifier;
      built[key] = created;
      return created;
    },
    async dispose() {
      await Promise.all(Object.values(built).map((classifier) => classifier?.dispose()));
    },
  };
}

/** What the analyzer reports about itself (info on /readyz, model on every result). */
function describeAnalyzer(
  modelDir: string,
  { metadata }: LoadedParts,
  backendName: BackendName,
  detector: FaceDetector,
  classifiers: Classifiers,
  settings: Settings,
): AnalyzerInfo {
  const model: ModelInfo = {
    runId: metadata.runId,
    createdAt: metadata.createdAt,
    architecture: metadata.architecture,
    temperature: metadata.temperature,
    classBias: metadata.classBias ?? EMOTIONS.map(() => 0),
    inputFilter: metadata.inputFilter ?? NO_INPUT_FILTER,
    classifier: classifiers.primary.kind,
    precision: classifiers.primary.kind === "onnx" && metadata.onnxQuantization ? "int8" : "float32",
    members: Array.isArray(metadata.hyperparameters.ensemble) ? metadata.hyperparameters.ensemble.length : 1,
    backend: backendName,
    detector: detector.engine.name,
  };
  return {
    modelDir,
    model,
    metrics: metadata.metrics,
    ...(classifiers.fallbackReason ? { classifierFallbackReason: classifiers.fallbackReason } : {}),
    detector: {
      ...detector.config,
      engine: detector.engine.name,
      workerThreads: detector.engine.workerThreads,
      ...(detector.engine.fallbackReason ? { engineFallbackReason: detector.engine.fallbackReason } : {}),
      ...(detector.engine.workerFallbackReason
        ? { workerFallbackReason: detector.engine.workerFallbackReason }
        : {}),
    },
    margin: settings.margin,
    tta: settings.tta,
  };
}

/** The analyzer's calls over its loaded parts: analyze = decode + analyzeDecoded (detect, crop, classify, explain). */
function assembleAnalyzer(
  { model, metadata }: LoadedParts,
  detector: FaceDetector,
  classifiers: Classifiers,
  settings: Settings,
  info: AnalyzerInfo,
  explainer: { modelDir: string; backend: BackendPreference | undefined; log: (line: string) => void },
): FaceAnalyzer {
  let disposed = false;
  /** Started on the first explain; undefined inside: it could not start, so saliency runs here (yielding per face). */
  let saliencyThread: Promise<SaliencyThread | undefined> | undefined;
  const assertOpen = () => {
    if (disposed) throw new AppError("INTERNAL", "the face analyzer was disposed");
  };

  // The model's declared input filter, applied here so every caller (analyze, the API, the bench) matches training.
  const inputFilter = metadata.inputFilter ?? NO_INPUT_FILTER;
  const toNetworkInput = (crop: Uint8Array) => applyInputFilter(crop, inputFilter);
  // Every decision (dominant emotion, the class a saliency map explains) is taken on these served probabilities.
  const calibration = calibrationOf(metadata);

  async function classifyFaces(
    crops: readonly Uint8Array[],
    options: { tta?: boolean } = {},
  ): Promise<number[][]> {
    assertOpen();
    if (crops.length === 0) return [];
    const rows = await (
      await classifiers.forTta(options.tta ?? settings.tta)
    ).classify(crops.map(toNetworkInput));
    return rows.map((row) => applyCalibration(row, calibration));
  }

  function explain(crop: Uint8Array, options: SaliencyOptions = {}): SaliencyMap {
    assertOpen();
    return computeSaliency(model, toNetworkInput(crop), { calibration, ...options });
  }

  function startExplainer(): Promise<SaliencyThread | undefined> {
    saliencyThread ??= startSaliencyThread({
      modelDir: explainer.modelDir,
      ...(explainer.backend ? { backend: explainer.backend } : {}),
    }).catch((error: unknown) => {
      explainer.log(
        `moodlens: saliency runs on the calling thread (${error instanceof Error ? error.message : String(error)})`,
      );
      return undefined;
    });
    return saliencyThread;
  }

  async function explainCrops(
    crops: readonly Uint8Array[],
    classIndices?: readonly number[],
  ): Promise<SaliencyMap[]> {
    assertOpen();
    if (crops.length === 0) return [];
    const classes = classIndices ?? (await classifyFaces(crops)).map((row) => row.indexOf(Math.max(...row)));
    const thread = await startExplainer();
    return thread ? thread.explain(crops, classes) : explainInThread(model, crops, classes);
  }

  async function analyze(input: ImageInput, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
    assertOpen();
    const start = performance.now();
    const image = await decodeImage(input, { maxInputPixels: settings.maxInputPixels });
    const decodeMs = elapsed(start);
    const result = await analyzeDecoded(image, options);
    return { ...result, timings: { ...result.timings, decodeMs } };
  }

  async function analyzeDecoded(image: DecodedImage, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
    assertOpen();
    assertDecodedShape(image, settings.maxInputPixels);
    let start = performance.now();
    const detection = await detector.detect(image, options.detect);
    const detectMs = elapsed(start);

    start = performance.now();
    const crops = await Promise.all(
      detection.faces.map((face) => cropFace(image, face, { margin: settings.margin })),
    );
    const probabilities = await classifyFaces(crops, options.tta === undefined ? {} : { tta: options.tta });
    const classifyMs = elapsed(start);

    const faces = detection.faces.map((face, index) => toAnalyzedFace(face, probabilities[index]!));
    let explainMs: number | undefined;
    if (options.explain) {
      start = performance.now();
      const explained = Math.min(faces.length, options.explainMaxFaces ?? faces.length);
      const classes = faces.slice(0, explained).map((face) => EMOTIONS.indexOf(face.dominantEmotion));
      const maps = await explainCrops(crops.slice(0, explained), classes);
      maps.forEach((map, index) => (faces[index]!.saliency = map));
      explainMs = elapsed(start);
    }
    return {
      faces,
      skipped: detection.skipped,
      image: { width: image.width, height: image.height, format: image.format },
      timings: { decodeMs: 0, detectMs, classifyMs, ...(explainMs === undefined ? {} : { explainMs }) },
      model: info.model,
    };
  }

  return {
    analyze,
    analyzeDecoded,
    classifyFaces,
    explain,
    explainCrops,
    info,
    async dispose() {
      if (disposed) return;
      disposed = true;
      await (await saliencyThread)?.terminate();
      await detector.dispose();
      await classifiers.dispose();
      model.dispose();
    },
  };
}

function toAnalyzedFace(face: DetectedFace, probabilities: number[]): AnalyzedFace {
  return {
    box: face.box,
    detectionScore: face.score,
    landmarks: face.landmarks,
    probabilities,
    dominantEmotion: dominantEmotion(probabilities),
    valence: valenceOf(probabilities),
  };
}

/**
 * Saliency on this thread when the worker could not start: EXPLAIN_CHUNK faces per gradient pass, yielding in
 * between (one pass over 100 faces held the thread for 8-13 s and took gigabytes; per-face passes bound both).
 */
async function explainInThread(
  model: LoadedParts["model"],
  crops: readonly Uint8Array[],
  classes: readonly number[],
): Promise<SaliencyMap[]> {
  const maps: SaliencyMap[] = [];
  for (let from = 0; from < crops.length; from += EXPLAIN_CHUNK) {
    const to = Math.min(crops.length, from + EXPLAIN_CHUNK);
    maps.push(...computeSaliencies(model, crops.slice(from, to), { classIndices: classes.slice(from, to) }));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return maps;
}

/** A caller-made frame gets the checks decoding would have given it: consistent size, within the pixel limit. */
function assertDecodedShape(image: DecodedImage, maxInputPixels: number): void {
  const { width, height, channels, rgb } = image;
  const whole = (value: number) => Number.isInteger(value) && value > 0;
  if (!whole(width) || !whole(height) || channels !== 3 || rgb.length !== width * height * 3) {
    throw new AppError("UNSUPPORTED_IMAGE", "the decoded image is not width x height x 3 bytes of RGB", {
      details: { width, height, channels, bytes: rgb.length },
    });
  }
  if (width * height > maxInputPixels) {
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `the image is ${width}x${height}; the limit is ${maxInputPixels} pixels`,
      {
        details: { width, height, maxInputPixels },
        hint: "downscale the frame before analyzing it",
      },
    );
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
