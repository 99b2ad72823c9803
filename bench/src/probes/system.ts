/**
 * One measured system (moodlens, human or faceApi) in its own fresh process, driven call by call by the parent
 * (sections/systems.ts) so that the systems' repetitions can be interleaved.
 */
import { log, serveSession } from "../core/child";
import { scoreClassifications } from "../core/metrics";
import { msSince, now } from "../core/stats";
import { readCropSet, type CropSet } from "../data/crop-cache";
import { loadGroupPhotos, type Photo } from "../data/photos";
import type { BenchSystem, Classifier, SystemName, SystemOptions } from "../systems/types";
import type { Box } from "@moodlens/shared";

export interface SystemProbeInput extends SystemOptions {
  system: SystemName;
  photosDir: string;
  cropSetBase: string;
}

export interface SystemReady {
  description: Record<string, unknown>;
  /** Backend initialisation and model loading in the fresh process. */
  loadMs: number;
  photos: number;
}

export interface ClassifyRun {
  batch1FacesPerSec: number;
  batch32FacesPerSec: number;
  /** Faces per CPU-second of this process: far less sensitive than wall time to other jobs on a shared machine. */
  batch1FacesPerCpuSec: number;
  batch32FacesPerCpuSec: number;
}

export interface PassTiming {
  ms: number;
  cpuMs: number;
}

const cpuMsSince = (start: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};

async function createSystem(name: SystemName, options: SystemOptions): Promise<BenchSystem> {
  // Imported lazily: each process loads only its own library.
  if (name === "human") return (await import("../systems/human")).createHumanSystem(options);
  if (name === "faceApi") {
    const { useLocalWasmBackend } = await import("../core/tfjs-files");
    await useLocalWasmBackend();
    return (await import("../systems/face-api")).createFaceApiSystem(options);
  }
  return (await import("../systems/moodlens")).createMoodlensSystem(options);
}

serveSession<SystemProbeInput, SystemReady>(async (input) => {
  const photos: Photo[] = await loadGroupPhotos(input.photosDir);
  const loadStart = now();
  const system = await createSystem(input.system, input);
  const loadMs = msSince(loadStart);
  log(`${input.system}: loaded in ${Math.round(loadMs)} ms`);

  let cropSet: CropSet | undefined;
  const crops = async () => (cropSet ??= await readCropSet(input.cropSetBase));
  let classifiers: Classifier[] | undefined;
  const warmed = new Set<number>();

  const handlers = {
    /** The description again at the end: it may have learned things while measuring (e.g. a classifier that failed). */
    describe: async () => system.description,
    /** The first analyze() after loading, nothing warmed up: what the first user waits for after a (re)start. */
    async cold(): Promise<number> {
      const start = now();
      await system.analyze(photos[0]!.bytes);
      return msSince(start);
    },
    /** One untimed pass (warms every code path); returns the boxes of the faces found per photo. */
    async warmup(): Promise<Record<string, Box[]>> {
      const faces: Record<string, Box[]> = {};
      for (const photo of photos) faces[photo.name] = await system.analyze(photo.bytes);
      return faces;
    },
    /** One timed pass over every photo: wall ms and CPU ms of this process (libvips threads included). */
    async pass(): Promise<PassTiming> {
      const cpu = process.cpuUsage();
      const start = now();
      for (const photo of photos) await system.analyze(photo.bytes);
      return { ms: msSince(start), cpuMs: cpuMsSince(cpu) };
    },
    async classifiers(): Promise<string[]> {
      classifiers ??= await system.classifiers();
      return classifiers.map((classifier) => classifier.id);
    },
    /** One repetition for one classifier: `batch1Faces` calls with one face, then `batch32Batches` calls with 32. */
    async classify(args: {
      index: number;
      batch1Faces: number;
      batch32Batches: number;
    }): Promise<ClassifyRun> {
      classifiers ??= await system.classifiers();
      const classifier = classifiers[args.index]!;
      const { crops: faces } = await crops();
      const batches = Array.from({ length: args.batch32Batches }, (_, b) =>
        Array.from({ length: 32 }, (_, i) => faces[(b * 32 + i) % faces.length]!),
      );
      if (!warmed.has(args.index)) {
        // The first call at each batch size compiles kernels and allocates buffers: not part of the steady state.
        await classifier.classify([faces[0]!]);
        await classifier.classify(batches[0]!);
        warmed.add(args.index);
      }
      let cpu = process.cpuUsage();
      let start = now();
      for (let index = 0; index < args.batch1Faces; index++)
        await classifier.classify([faces[index % faces.length]!]);
      const batch1FacesPerSec = args.batch1Faces / (msSince(start) / 1000);
      const batch1FacesPerCpuSec = args.batch1Faces / (cpuMsSince(cpu) / 1000);
      cpu = process.cpuUsage();
      start = now();
      for (const batch of batches) await classifier.classify(batch);
      const batch32FacesPerSec = (args.batch32Batches * 32) / (msSince(start) / 1000);
      const batch32FacesPerCpuSec = (args.batch32Batches * 32) / (cpuMsSince(cpu) / 1000);
      return { batch1FacesPerSec, batch32FacesPerSec, batch1FacesPerCpuSec, batch32FacesPerCpuSec };
    },
    async accuracy() {
      const classifier = await system.accuracyClassifier();
      if ("unavailable" in classifier) return classifier;
      const set = await crops();
      const probabilities: number[][] = [];
      for (let start = 0; start < set.crops.length; start += 32) {
        probabilities.push(...(await classifier.classify(set.crops.slice(start, start + 32))));
      }
      const report = scoreClassifications(set.labels, probabilities);
      log(
        `${input.system}: accuracy ${report.fer2013Val} (macro-F1 ${report.macroF1}) on ${report.images} faces`,
      );
      return { classifier: classifier.id, sample: set.sample, ...report };
    },
  };
  return { ready: { description: system.description, loadMs, photos: photos.length }, handlers };
});
