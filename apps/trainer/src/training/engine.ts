import type { NativeBatch } from "@moodlens/native";
import type { tf } from "@moodlens/model";

/** What the trainer needs from a native engine (implemented by @moodlens/native's NativeTrainingEngine). */
export interface TrainingEngine {
  loadFrom(model: tf.LayersModel, optimizer: tf.Optimizer): void;
  storeInto(model: tf.LayersModel, optimizer: tf.Optimizer): Promise<void>;
  step(batch: NativeBatch): { loss: number; correct: number };
  predict(crops: readonly Uint8Array[]): Float32Array;
  dispose(): void;
}
