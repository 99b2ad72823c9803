import { createFaceAnalyzer, selectBackend, type ClassifierKind, type FaceAnalyzer } from "@moodlens/model";
import {
  SHIPPED_PREFIX,
  type BenchSystem,
  type Classifier,
  type SystemFactory,
  type SystemOptions,
} from "./types";

const ENGINE_LABEL: Record<Exclude<ClassifierKind, "auto">, string> = {
  tfjs: "tfjs-wasm",
  onnx: "onnxruntime",
};

/** A classifier measured through the product path: the analyzer's classifyFaces (batching, temperature, TTA). */
function analyzerClassifier(analyzer: FaceAnalyzer, id: string, tta: boolean): Classifier {
  return { id, classify: (crops) => analyzer.classifyFaces(crops, { tta }) };
}

/** e.g. "shipped model (deep/onnxruntime int8)", "shipped model (ensemble of 2 deep/onnxruntime int8)". */
function shippedModelLabel(model: FaceAnalyzer["info"]["model"]): string {
  const ensemble = model.members > 1 ? `ensemble of ${model.members} ` : "";
  const precision = model.precision === "int8" ? " int8" : "";
  return `${SHIPPED_PREFIX} (${ensemble}${model.architecture}/${ENGINE_LABEL[model.classifier]}${precision})`;
}

export const createMoodlensSystem: SystemFactory = async (options: SystemOptions) => {
  const backend = await selectBackend("wasm", { logger: () => {} });
  // The serving configuration: classifier "auto" (onnxruntime when model.onnx exists and loads, else tfjs).
  const serving = await createFaceAnalyzer({ modelDir: options.servingModelDir, backend: "wasm" });
  const extra: FaceAnalyzer[] = [];
  const problems: string[] = [];

  let built: Classifier[] | undefined;
  const classifiers = async (): Promise<Classifier[]> => {
    if (built) return built;
    built = [];
    if (options.servingModelTrained) {
      // The headline: what the API serves (the shipped network, not the architecture's default configuration).
      const id = shippedModelLabel(serving.info.model);
      built.push(analyzerClassifier(serving, id, false), analyzerClassifier(serving, `${id} + TTA`, true));
    }
    for (const { architecture, dir, onnx } of options.architectureModels) {
      for (const kind of ["tfjs", "onnx"] as const) {
        if (kind === "onnx" && !onnx) continue;
        try {
          const analyzer = await createFaceAnalyzer({ modelDir: dir, backend: "wasm", classifier: kind });
          extra.push(analyzer);
          const id = `${architecture}/${ENGINE_LABEL[kind]}`;
          // Fail here, not in the middle of the timing loop.
          await analyzer.classifyFaces([new Uint8Array(48 * 48)]);
          built.push(analyzerClassifier(analyzer, id, false));
          if (!options.servingModelTrained && architecture === serving.info.model.architecture) {
            built.push(analyzerClassifier(analyzer, `${id} + TTA`, true));
          }
        } catch (error) {
          problems.push(
            `${architecture}/${ENGINE_LABEL[kind]}: ${error instanceof Error ? error.message.split("\n")[0] : error}`,
          );
        }
      }
    }
    return built;
  };

  const system: BenchSystem = {
    name: "moodlens",
    get description() {
      return {
        pipeline:
          "createFaceAnalyzer (@moodlens/model): decodeImage, BlazeFace with multi-scale tiling, cropFace, classifier",
        servingModel: options.servingModelTrained
          ? options.servingModelDir
          : `random-init (speed only): ${options.servingModelDir}`,
        backend: `tfjs ${backend.name} (${backend.threads} thread)`,
        analyzer: serving.info,
        ...(problems.length > 0 ? { classifierProblems: problems } : {}),
      };
    },
    analyze: async (image) => (await serving.analyze(image)).faces.map((face) => face.box),
    classifiers,
    async accuracyClassifier() {
      if (!options.servingModelTrained) {
        return {
          unavailable:
            "models/default does not exist yet (the trainer has not shipped a model); a random-init network's accuracy would be meaningless",
        };
      }
      return analyzerClassifier(serving, shippedModelLabel(serving.info.model), false);
    },
    dispose() {
      void serving.dispose();
      for (const analyzer of extra) void analyzer.dispose();
    },
  };
  return system;
};
