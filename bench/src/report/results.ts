import type { MachineInfo } from "../core/machine";
import { ratio } from "../core/stats";
import type { ApiResult } from "../sections/api";
import type { StatsResult } from "../sections/stats";
import type { VideoResult } from "../sections/video";
import type { PhotoPathResult } from "../photo-path/section";
import type { ClassifierVariant, SystemResult } from "../sections/systems";
import type { TrainingCase } from "../sections/training";
import type { TrainerCliCase } from "../sections/trainer-cli";
import type { EnginesResult } from "../sections/engines";
import type { DetectionScore } from "../data/hand-boxes";
import type { Emotion } from "@moodlens/shared";
import { SYSTEM_NAMES, type SystemName } from "../systems/types";

/** The per-system block of latest.json (issue 7's output contract, plus how each number was obtained). */
export interface SystemEntry {
  description: Record<string, unknown>;
  endToEnd: {
    imagesPerSec: number | null;
    facesPerSec: number | null;
    faces: number | null;
    coldFirstRequestMs: number | null;
    loadMs?: number;
    repetitions?: number;
    passMs?: number[];
    passCpuMs?: number[];
    facesPerCpuSec?: number;
    facesPerPhoto?: Record<string, number>;
    detection?: DetectionScore;
    reason?: string;
  };
  classify: {
    batch1FacesPerSec: number | null;
    batch32FacesPerSec: number | null;
    batch1FacesPerCpuSec?: number;
    batch32FacesPerCpuSec?: number;
    classifier?: string;
    variants?: ClassifierVariant[];
    reason?: string;
  };
  accuracy: {
    fer2013Val: number | null;
    macroF1: number | null;
    perClassRecall: Record<Emotion, number> | null;
    classifier?: string;
    sample?: string;
    images?: number;
    confusion?: number[][];
    reason?: string;
  };
  peakRssBytes: number | null;
  error?: string;
}

export interface BenchResults {
  schemaVersion: 1;
  date: string;
  mode: "quick" | "full";
  durationSeconds: number;
  machine: MachineInfo;
  backend: { name: string; threads: number; note: string };
  sample: Record<string, unknown>;
  moodlens?: SystemEntry;
  human?: SystemEntry;
  faceApi?: SystemEntry;
  /** moodlens / the fastest (or most accurate) peer measured in the same run. */
  comparison: Record<
    string,
    { moodlens: number | null; bestPeer: number | null; bestPeerName: string | null; ratio: number | null }
  >;
  /** FER-2013 faces laid into synthetic photos, through analyze vs their original crops (absent in older results). */
  photoPath?: PhotoPathResult | { reason: string };
  training: TrainingCase[] | { reason: string };
  /** The trainer CLI with the shipped model's config (absent in results files older than it). */
  trainer?: TrainerCliCase[] | { reason: string };
  /** Training engines (wasm vs native oneDNN vs PyTorch) on the shipped network (absent in older results). */
  engines?: EnginesResult[] | { reason: string };
  api: ApiResult | { reason: string };
  stats: StatsResult[] | { reason: string };
  /** Absent in results written before the video section existed. */
  video?: VideoResult | { reason: string };
  memory: Record<string, number | string | null>;
  notes: string[];
}

export function toSystemEntry(
  result: SystemResult | undefined,
  headline?: (ids: string[]) => string | undefined,
): SystemEntry {
  const entry: SystemEntry = {
    description: result?.description ?? {},
    endToEnd: {
      imagesPerSec: null,
      facesPerSec: null,
      faces: null,
      coldFirstRequestMs: null,
      reason: "not measured in this run",
    },
    classify: { batch1FacesPerSec: null, batch32FacesPerSec: null, reason: "not measured in this run" },
    accuracy: { fer2013Val: null, macroF1: null, perClassRecall: null, reason: "not measured in this run" },
    peakRssBytes: result?.peakRssBytes || null,
    ...(result?.error ? { error: result.error } : {}),
  };
  if (result?.endToEnd && result.endToEnd.passMs.length > 0) entry.endToEnd = { ...result.endToEnd };
  if (result?.classify && result.classify.variants.length > 0) {
    const variants = result.classify.variants;
    const id = headline?.(variants.map((variant) => variant.id)) ?? variants[0]!.id;
    const main = variants.find((variant) => variant.id === id) ?? variants[0]!;
    entry.classify = {
      batch1FacesPerSec: main.batch1FacesPerSec,
      batch32FacesPerSec: main.batch32FacesPerSec,
      batch1FacesPerCpuSec: main.batch1FacesPerCpuSec,
      batch32FacesPerCpuSec: main.batch32FacesPerCpuSec,
      classifier: main.id,
      variants,
    };
  }
  if (result?.accuracy) {
    entry.accuracy =
      "unavailable" in result.accuracy
        ? { fer2013Val: null, macroF1: null, perClassRecall: null, reason: result.accuracy.unavailable }
        : {
            fer2013Val: result.accuracy.fer2013Val,
            macroF1: result.accuracy.macroF1,
            perClassRecall: result.accuracy.perClassRecall,
            classifier: result.accuracy.classifier,
            sample: result.accuracy.sample,
            images: result.accuracy.images,
            confusion: result.accuracy.confusion,
          };
  }
  return entry;
}

const METRICS: Record<string, (entry: SystemEntry) => number | null> = {
  endToEndImagesPerSec: (entry) => entry.endToEnd.imagesPerSec,
  endToEndFacesPerSec: (entry) => entry.endToEnd.facesPerSec,
  endToEndFacesPerCpuSec: (entry) => entry.endToEnd.facesPerCpuSec ?? null,
  handBoxRecall: (entry) => entry.endToEnd.detection?.recall ?? null,
  handBoxPrecision: (entry) => entry.endToEnd.detection?.precision ?? null,
  classifyBatch1FacesPerSec: (entry) => entry.classify.batch1FacesPerSec,
  classifyBatch32FacesPerSec: (entry) => entry.classify.batch32FacesPerSec,
  classifyBatch32FacesPerCpuSec: (entry) => entry.classify.batch32FacesPerCpuSec ?? null,
  fer2013Val: (entry) => entry.accuracy.fer2013Val,
  macroF1: (entry) => entry.accuracy.macroF1,
};

/** For each metric: ours, the best peer in this run, and ours / theirs (the goal: >= 2x speed, > 1x accuracy). */
export function compare(entries: Partial<Record<SystemName, SystemEntry>>): BenchResults["comparison"] {
  const comparison: BenchResults["comparison"] = {};
  for (const [metric, pick] of Object.entries(METRICS)) {
    let bestPeer: number | null = null;
    let bestPeerName: string | null = null;
    for (const name of SYSTEM_NAMES) {
      if (name === "moodlens" || !entries[name]) continue;
      const value = pick(entries[name]!);
      if (value != null && (bestPeer == null || value > bestPeer)) {
        bestPeer = value;
        bestPeerName = name;
      }
    }
    const ours = entries.moodlens ? pick(entries.moodlens) : null;
    comparison[metric] = { moodlens: ours, bestPeer, bestPeerName, ratio: ratio(ours, bestPeer) };
  }
  return comparison;
}
