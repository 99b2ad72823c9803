import { createFaceAnalyzer, describeEngines, readModelMetadata, saliencyToDataUrl, type BackendPreference } from "@moodlens/model";
import type { ApiConfig } from "../config";
import type { Logger } from "../runtime";
import type { AnalyzerLoader, LoadedAnalyzer } from "./analyzer-port";

/** Saliency maps are sent as small heat-map PNGs (data URLs) that a client overlays on the face box. */
const SALIENCY_PNG = { colormap: "heat", size: 96 } as const;

/**
 * Version name of a model directory that the registry does not know (models/default before `npm run seed`):
 * the same "default-<sha12>" that @moodlens/db's seedDefaultModel registers it under, so counts line up.
 */
async function unregisteredVersion(dir: string): Promise<string> {
  const metadata = await readModelMetadata(dir);
  return `default-${metadata.weightsSha256.slice(0, 12)}`;
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
      version = registryVersion ?? (await unregisteredVersion(dir));
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
        return { faces, skipped: result.skipped.length, skippedOverFaceLimit, image: result.image, timings: { ...result.timings } };
      },
    };
  };
}
