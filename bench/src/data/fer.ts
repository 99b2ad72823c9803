import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { EMOTIONS, type Emotion, emotionFromFolderName } from "@moodlens/shared";
import { preprocessCrop } from "@moodlens/model";
import { FER_VAL_DIR } from "../core/paths";

export interface LabelledCrops {
  /** 48x48 gray uint8 crops, produced by @moodlens/model's preprocessCrop (the same crops for every system). */
  crops: Uint8Array[];
  /** Index into EMOTIONS. */
  labels: number[];
  /** Images per class in this sample. */
  perClass: Record<Emotion, number>;
  /** "all" or "stratified:<perClass>" */
  sample: string;
}

/**
 * A FER-2013 folder tree (one folder per emotion): each emotion's image files, sorted by name so that every run
 * uses the same ones; `perClassLimit` keeps the first N of each class.
 */
export async function ferClassFiles(
  dir: string,
  perClassLimit?: number,
): Promise<{ emotion: Emotion; folder: string; files: string[] }[]> {
  const classes: { emotion: Emotion; folder: string; files: string[] }[] = [];
  for (const folder of (await readdir(dir)).sort()) {
    const emotion = emotionFromFolderName(folder);
    if (!emotion) continue;
    const files = (await readdir(join(dir, folder))).filter((name) => /\.(jpe?g|png)$/i.test(name)).sort();
    classes.push({
      emotion,
      folder,
      files: perClassLimit === undefined ? files : files.slice(0, perClassLimit),
    });
  }
  return classes;
}

/**
 * The FER-2013 PublicTest faces (one folder per emotion). `perClassLimit` keeps a stratified subset: the first N
 * files (sorted by name, so every run uses the same ones) of each class.
 */
export async function loadFerVal(perClassLimit?: number, dir: string = FER_VAL_DIR): Promise<LabelledCrops> {
  const crops: Uint8Array[] = [];
  const labels: number[] = [];
  const perClass = Object.fromEntries(EMOTIONS.map((emotion) => [emotion, 0])) as Record<Emotion, number>;
  for (const { emotion, folder, files } of await ferClassFiles(dir, perClassLimit)) {
    const loaded = await Promise.all(files.map((file) => preprocessCrop(join(dir, folder, file))));
    crops.push(...loaded);
    labels.push(...loaded.map(() => EMOTIONS.indexOf(emotion)));
    perClass[emotion] = loaded.length;
  }
  return {
    crops,
    labels,
    perClass,
    sample: perClassLimit === undefined ? "all" : `stratified:${perClassLimit}`,
  };
}
