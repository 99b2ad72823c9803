import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import sharp from "sharp";
import { EMOTIONS } from "@moodlens/shared";
import { tf } from "../core/tfjs-files";
import type { BenchSystem, Classifier, SystemFactory } from "./types";

const require = createRequire(import.meta.url);
const FACE_API_DIR = join(dirname(require.resolve("@vladmandic/face-api/dist/face-api.node-wasm.js")), "..");
const WEIGHTS_DIR = join(FACE_API_DIR, "model");

/** face-api's expression labels (src/faceExpressionNet/FaceExpressions.ts) mapped to ours. */
const FACE_API_TO_OURS = {
  angry: "angry",
  disgusted: "disgust",
  fearful: "fear",
  happy: "happy",
  sad: "sad",
  surprised: "surprise",
  neutral: "neutral",
} as const;

type Expressions = Record<keyof typeof FACE_API_TO_OURS, number>;
interface FaceApi {
  nets: {
    ssdMobilenetv1: { loadFromDisk(dir: string): Promise<void> };
    faceExpressionNet: {
      loadFromDisk(dir: string): Promise<void>;
      predictExpressions(input: tf.Tensor3D | tf.Tensor3D[]): Promise<Expressions | Expressions[]>;
    };
  };
  SsdMobilenetv1Options: new (options?: { minConfidence?: number; maxResults?: number }) => unknown;
  detectAllFaces(
    input: tf.Tensor3D,
    options: unknown,
  ): {
    withFaceExpressions(): Promise<
      {
        expressions: Expressions;
        detection: { box: { x: number; y: number; width: number; height: number } };
      }[]
    >;
  };
}

/** SSD MobileNetV1 defaults (min confidence 0.5, 100 results), as in face-api's README. */
export const FACE_API_SSD_OPTIONS = { minConfidence: 0.5, maxResults: 100 };

const toOurOrder = (expressions: Expressions): number[] => {
  const row = new Array<number>(EMOTIONS.length).fill(0);
  for (const [theirs, ours] of Object.entries(FACE_API_TO_OURS)) {
    row[EMOTIONS.indexOf(ours)] = expressions[theirs as keyof Expressions] ?? 0;
  }
  return row;
};

async function decodeToTensor(image: Buffer): Promise<tf.Tensor3D> {
  const { data, info } = await sharp(image)
    .rotate()
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return tf.tensor3d(
    new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    [info.height, info.width, 3],
    "int32",
  );
}

export const createFaceApiSystem: SystemFactory = async () => {
  const faceapi = require("@vladmandic/face-api/dist/face-api.node-wasm.js") as FaceApi;
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(WEIGHTS_DIR);
  await faceapi.nets.faceExpressionNet.loadFromDisk(WEIGHTS_DIR);
  const options = new faceapi.SsdMobilenetv1Options(FACE_API_SSD_OPTIONS);

  /** The expression net on our 48x48 gray crops, as 3-channel 0..255 tensors; face-api resizes them to 112 itself. */
  const expressionNet: Classifier = {
    id: "face-api faceExpressionNet (112x112)",
    async classify(crops) {
      const inputs = crops.map((crop) =>
        tf.tidy(
          () => tf.tile(tf.tensor3d(Int32Array.from(crop), [48, 48, 1], "int32"), [1, 1, 3]) as tf.Tensor3D,
        ),
      );
      try {
        const result = await faceapi.nets.faceExpressionNet.predictExpressions(
          inputs.length === 1 ? inputs[0]! : inputs,
        );
        return (Array.isArray(result) ? result : [result]).map(toOurOrder);
      } finally {
        tf.dispose(inputs);
      }
    },
  };

  const system: BenchSystem = {
    name: "faceApi",
    description: {
      package: "@vladmandic/face-api 1.7.15 (dist/face-api.node-wasm.js)",
      detector: `SSD MobileNetV1 ${JSON.stringify(FACE_API_SSD_OPTIONS)}`,
      classifier: "faceExpressionNet",
      backend: `tfjs ${tf.version.tfjs} ${tf.getBackend()}`,
    },
    async analyze(image) {
      const input = await decodeToTensor(image);
      try {
        const faces = await faceapi.detectAllFaces(input, options).withFaceExpressions();
        return faces.map(({ detection: { box } }) => ({
          x: box.x,
          y: box.y,
          width: box.width,
          height: box.height,
        }));
      } finally {
        input.dispose();
      }
    },
    classifiers: async () => [expressionNet],
    accuracyClassifier: async () => expressionNet,
    dispose() {},
  };
  return system;
};
