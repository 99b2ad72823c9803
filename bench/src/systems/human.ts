import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import sharp from "sharp";
import { routeFileUrlsToDisk, diskModelHandler, tf, WASM_DIST_DIR } from "../core/tfjs-files";
import type { BenchSystem, Classifier, SystemFactory } from "./types";

const require = createRequire(import.meta.url);
// The package's exports map hides its files (its subpath keys lack "./"): resolve the main entry, walk from there.
const HUMAN_DIST_DIR = dirname(require.resolve("@vladmandic/human"));
const HUMAN_DIR = join(HUMAN_DIST_DIR, "..");
const MODELS_DIR = join(HUMAN_DIR, "models");

/** Human's emotion model (oarriaga mini-Xception): 64x64 gray, input (gray - 0.5) * 2, labels in FER order. */
const EMOTION_INPUT = 64;

interface HumanResult {
  face: { box: [number, number, number, number]; emotion?: { score: number; emotion: string }[] }[];
}
interface HumanInstance {
  load(): Promise<void>;
  init(): Promise<void>;
  detect(input: tf.Tensor): Promise<HumanResult>;
  tf: typeof tf;
}

/**
 * @vladmandic/human configured as "BlazeFace + emotion" only: every other module off, no frame caching (each photo
 * is analysed from scratch), up to 100 faces, wasm backend from node_modules, models from its package folder.
 */
export const HUMAN_CONFIG = {
  backend: "wasm",
  wasmPath: `${WASM_DIST_DIR}/`,
  modelBasePath: `${pathToFileURL(MODELS_DIR).href}/`,
  debug: false,
  async: true,
  warmup: "none",
  cacheSensitivity: 0,
  filter: { enabled: false },
  face: {
    enabled: true,
    detector: { rotation: false, maxDetected: 100, skipFrames: 0, skipTime: 0, return: false },
    mesh: { enabled: false },
    iris: { enabled: false },
    attention: { enabled: false },
    description: { enabled: false },
    emotion: { enabled: true, skipFrames: 0, skipTime: 0, minConfidence: 0 },
    antispoof: { enabled: false },
    liveness: { enabled: false },
  },
  body: { enabled: false },
  hand: { enabled: false },
  object: { enabled: false },
  gesture: { enabled: false },
  segmentation: { enabled: false },
};

async function decodeToTensor(image: Buffer): Promise<tf.Tensor4D> {
  const { data, info } = await sharp(image)
    .rotate()
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return tf.tensor4d(
    new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    [1, info.height, info.width, 3],
    "int32",
  );
}

/** Human's emotion network fed our 48x48 crops with human's own preprocessing (bilinear to 64, (x - 0.5) * 2). */
async function createHumanEmotionClassifier(): Promise<Classifier> {
  const model = await tf.loadGraphModel(diskModelHandler(join(MODELS_DIR, "emotion.json")));
  return {
    id: "human-emotion (mini-Xception 64x64)",
    async classify(crops) {
      const output = tf.tidy(() => {
        const values = new Float32Array(crops.length * 48 * 48);
        crops.forEach((crop, index) =>
          values.set(
            Float32Array.from(crop, (v) => v / 255),
            index * 48 * 48,
          ),
        );
        const input = tf.tensor4d(values, [crops.length, 48, 48, 1]);
        const resized = tf.image.resizeBilinear(input, [EMOTION_INPUT, EMOTION_INPUT], false);
        return model.execute(tf.mul(tf.sub(resized, 0.5), 2)) as tf.Tensor2D;
      });
      const rows = (await output.array()) as number[][];
      output.dispose();
      return rows; // already angry, disgust, fear, happy, sad, surprise, neutral (src/gear/emotion.ts)
    },
    dispose: () => model.dispose(),
  };
}

export const createHumanSystem: SystemFactory = async () => {
  routeFileUrlsToDisk();
  const { Human } = require(join(HUMAN_DIST_DIR, "human.node-wasm.js")) as {
    Human: new (config: unknown) => HumanInstance;
  };
  const human = new Human(HUMAN_CONFIG);
  await human.init();
  await human.load();
  let emotion: Classifier | undefined;
  const classifier = async () => (emotion ??= await createHumanEmotionClassifier());
  const system: BenchSystem = {
    name: "human",
    description: {
      package: "@vladmandic/human 3.3.6 (dist/human.node-wasm.js)",
      detector: "BlazeFace (models/blazeface.json)",
      classifier: "emotion (oarriaga mini-Xception, models/emotion.json)",
      backend: `tfjs ${tf.version.tfjs} ${tf.getBackend()}`,
      config: HUMAN_CONFIG.face,
    },
    async analyze(image) {
      const input = await decodeToTensor(image);
      try {
        const result = await human.detect(input);
        // human's face.box is [x, y, width, height] in input pixels.
        return result.face.map(({ box: [x, y, width, height] }) => ({ x, y, width, height }));
      } finally {
        input.dispose();
      }
    },
    classifiers: async () => [await classifier()],
    accuracyClassifier: classifier,
    dispose() {
      emotion?.dispose?.();
    },
  };
  return system;
};
