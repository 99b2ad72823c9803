import {
  createFaceAnalyzer,
  describeEngines,
  readModelMetadata,
  saliencyToDataUrl,
  type BackendPreference,
} from "@moodlens/model";
import { servedVersionName } from "@moodlens/model/served-model";
import type { ApiConfig } from "../config";
import type { Logger } from "../logger";
import type { AnalyzerLoader, LoadedAnalyzer } from "./analyzer-port";

/** Saliency maps are sent as small heat-map PNGs (data URLs) that a client overlays on the face box. */
const SALIENCY_PNG = { colormap: "heat", size: 96 } as const;

/** The version name analyses are recorded under (the registry's, else the one the seed would register it as). */
async function versionNameOf(dir: string, registryVersion: string | undefined): Promise<string> {
  return registryVersion ?? servedVersionName(undefined, (await readModelMetadata(dir)).weightsSha256);
}

/**
 * The default loader: @moodlens/model's createFaceAnalyzer on a model directory. It throws AppError
 * MODEL_NOT_TRAINED when the directory holds no trained model, MODEL_INVALID when files fail their checks.
 */
export function loadAnalyzer(config: ApiConfig, log?: Logger): AnalyzerLoader {
  return async (dir, registryVersion): Promise<LoadedAnalyzer> => {
    const analyzer = await createFaceAnalyzer({
      modelDir: dir,
      maxInputPixels: config.limits.maxImagePixels,
      ...(config.backend ? { backend: config.backend as BackendPreference } : {}),
      ...(log ? { logger: (line: string) => log.info(line) } : {}),
    });
    let version: string;
    try {
      version = await versionNameOf(dir, registryVersion);
    } catch (error) {
      await analyzer.dispose();
      throw error;
    }
    return {
      version,
      backend: describeEngines(analyzer.info.model),
      dispose: () => analyzer.dispose(),
      analyze: async (bytes, options) => {
        const result = await analyzer.analyze(bytes, {
          explain: options.explain ?? false,
          ...(options.explainMaxFaces ? { explainMaxFaces: options.explainMaxFaces } : {}),
          ...(options.maxFaces ? { detect: { maxFaces: options.maxFaces } } : {}),
        });
        const faces = await Promise.all(
          result.faces.map(async (face) => ({
            box: face.box,
            detectionScore: face.detectionScore,
            landmarks: face.landmarks,
            probabilities: face.probabilities,
            dominantEmotion: face.dominantEmotion,
            valence: face.valence,
            ...(face.saliency ? { saliency: await saliencyToDataUrl(face.saliency, SALIENCY_PNG) } : {}),
          })),
        );
        const skippedOverFaceLimit = result.skipped.filter((face) => face.reason === "over-limit").length;
        return {
          faces,
          skipped: result.skipped.length,
          skippedOverFaceLimit,
          image: result.image,
          timings: { ...result.timings },
        };
      },
    };
  };
}
