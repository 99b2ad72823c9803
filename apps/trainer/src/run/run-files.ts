import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { EpochLog, EvaluationReport, RunStatus } from "@moodlens/shared";
import { writeFileAtomic, writeJsonAtomic } from "../util/atomic";
import type { SourceKind } from "../dataset/types";
import type { TrainConfig } from "../training/config";
import type { TrainerState } from "../training/state";

/** Where a run's data came from; the fingerprint is checked again on resume. */
export interface DataReference {
  /** Relative to the repo root when inside or beside it (see toRecordedPath). */
  source: string;
  kind: SourceKind;
  fingerprint: string;
  /** Samples used from it (train part or validation part). */
  count: number;
}

/** run.json: written once when the run starts; what the run IS. */
export interface RunSpec {
  format: "moodlens-run/1";
  runId: string;
  experiment: string;
  name?: string;
  createdAt: string;
  config: TrainConfig;
  data: {
    train: DataReference;
    /** Explicit validation data, or null when split off the training data (stratified, seeded). */
    val: DataReference | null;
    /** Fingerprint of the exact training part (after any split): goes to metadata.json as datasetFingerprint. */
    trainFingerprint: string;
    valFingerprint: string;
    trainCount: number;
    valCount: number;
  };
  backend: string;
  codeVersion: string;
  /** Where finished model files are copied (e.g. models/default), besides the run's own model/ folder. */
  publishTo?: string;
  /** Register a model version when the run completes. */
  register?: boolean;
  /** Fit a class bias at the end so that every class's validation recall reaches this (--min-recall; absent = none). */
  minRecall?: number;
  host: { cpus: number; node: string };
}

/** status.json: how the run is doing locally, and what reached the database. */
export interface RunStatusFile {
  status: RunStatus;
  updatedAt: string;
  finishedAt?: string;
  error?: string;
}

/** sync.json: what already reached the database (written by `runs sync`, a separate process). */
export interface SyncFile {
  epochs: number;
  evaluation: boolean;
  /** The database shows the run's final status (completed/failed/interrupted). */
  final: boolean;
  modelVersion?: string;
  syncedAt?: string;
  lastError?: string;
}

export const RUN_FILES = {
  spec: "run.json",
  status: "status.json",
  sync: "sync.json",
  journal: "journal.jsonl",
  evaluation: "evaluation.json",
  model: "model",
  log: "train.log",
} as const;

export const readSpec = (runDirectory: string): RunSpec =>
  JSON.parse(readFileSync(join(runDirectory, RUN_FILES.spec), "utf8")) as RunSpec;

export const writeSpec = (runDirectory: string, spec: RunSpec): void =>
  writeJsonAtomic(join(runDirectory, RUN_FILES.spec), spec);

export function readStatus(runDirectory: string): RunStatusFile {
  const path = join(runDirectory, RUN_FILES.status);
  if (!existsSync(path)) return { status: "queued", updatedAt: new Date(0).toISOString() };
  return JSON.parse(readFileSync(path, "utf8")) as RunStatusFile;
}

export function updateStatus(runDirectory: string, change: Partial<RunStatusFile>): RunStatusFile {
  const previous = readStatus(runDirectory);
  // An error belongs to the stop it came with: a run that runs again or completes no longer carries it.
  const { error: _stale, ...withoutError } = previous;
  const base = change.status === "running" || change.status === "completed" ? withoutError : previous;
  const next = { ...base, ...change, updatedAt: new Date().toISOString() };
  writeJsonAtomic(join(runDirectory, RUN_FILES.status), next);
  return next;
}

/** journal.jsonl: one line per completed epoch, rewritten atomically from the committed state (never appended). */
export const writeJournal = (runDirectory: string, journal: readonly EpochLog[]): void =>
  writeFileAtomic(
    join(runDirectory, RUN_FILES.journal),
    journal.map((log) => JSON.stringify(log)).join("\n") + (journal.length ? "\n" : ""),
  );

export function readJournal(runDirectory: string): EpochLog[] {
  const path = join(runDirectory, RUN_FILES.journal);
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as EpochLog);
}

export interface StoredEvaluation {
  split: "validation" | "test";
  data: string;
  report: EvaluationReport;
  createdAt: string;
}

export function readEvaluation(runDirectory: string): StoredEvaluation | null {
  const path = join(runDirectory, RUN_FILES.evaluation);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as StoredEvaluation) : null;
}

export function readSync(runDirectory: string): SyncFile {
  const path = join(runDirectory, RUN_FILES.sync);
  return existsSync(path)
    ? (JSON.parse(readFileSync(path, "utf8")) as SyncFile)
    : { epochs: 0, evaluation: false, final: false };
}

export const writeSync = (runDirectory: string, sync: SyncFile): void =>
  writeJsonAtomic(join(runDirectory, RUN_FILES.sync), sync);

/** state.json: the commit point of a run's checkpoints (see checkpoint.ts). */
export interface CheckpointPointer {
  format: "moodlens-checkpoint/1";
  epoch: number;
  checkpoint: string;
  best: string | null;
  trainer: TrainerState;
  /** Adam's running β powers, saved exactly (tfjs recomputes them with pow() on restore, which rounds differently). */
  optimizerExtras: { accBeta1?: number; accBeta2?: number };
  savedAt: string;
}

export function readCheckpointPointer(runDirectory: string): CheckpointPointer | null {
  const path = join(runDirectory, "state.json");
  if (!existsSync(path)) return null;
  return JSON.parse(readFileSync(path, "utf8")) as CheckpointPointer;
}
