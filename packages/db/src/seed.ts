/**
 * Demo data for the dashboard and the end-to-end tests: six weeks of synthetic analyses, clearly marked isDemo,
 * with daily and weekly rhythms, an emotion mix that depends on campaign and source, a growth trend and one
 * incident (a bad day at the lobby kiosk) to find in the drill-down. Deterministic for a given seed and `now`.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { servedVersionName } from "@moodlens/model/served-model";
import { EMOTIONS, valenceOf, type Emotion } from "@moodlens/shared";
import type { ModelVersion, Prisma } from "./generated/prisma/client";
import { promoteModelVersion, registerModelVersion, getActiveModelVersion } from "./models";
import type { DbClient } from "./types";
import { badInput } from "./validate";

export const DEMO_SOURCES = ["web", "kiosk-lobby", "mobile-app", "survey-video"] as const;
export const DEMO_CAMPAIGNS = ["spring-sale", "loyalty", "product-launch", "none"] as const;
export const DEMO_MODEL_VERSION = "demo-synthetic";
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const INSERT_BATCH = 2_000;

export interface SeedDemoOptions {
  /** Days of history before `now` (default 42). */
  days?: number;
  /** Average faces per day (default 250). */
  facesPerDay?: number;
  /** Same seed (and now) → same data; a seed already loaded is skipped (default 1). */
  seed?: number;
  now?: Date;
}

export interface SeedDemoResult {
  analyses: number;
  faces: number;
  /** True when this seed's demo data was already there (nothing inserted). */
  skipped: boolean;
  from: Date;
  to: Date;
}

/** mulberry32: small, fast, good enough for synthetic data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(random: () => number, weights: readonly (readonly [T, number])[]): T {
  const total = weights.reduce((sum, [, w]) => sum + w, 0);
  let r = random() * total;
  for (const [value, w] of weights) if ((r -= w) < 0) return value;
  return weights[weights.length - 1]![0];
}

/** Share of a day's traffic per UTC hour: quiet nights, a lunch peak and an after-work peak. */
const HOUR_PROFILE = [
  0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 1.6, 2, 2.2, 2.5, 3, 2.8, 2.2, 2.1, 2.3, 2.9, 3.1, 2.6, 2, 1.4, 0.9,
  0.5,
];
const BASE_MIX: Record<Emotion, number> = {
  angry: 0.06,
  disgust: 0.025,
  fear: 0.045,
  happy: 0.27,
  sad: 0.09,
  surprise: 0.08,
  neutral: 0.43,
};
const CAMPAIGN_MIX: Record<string, Partial<Record<Emotion, number>>> = {
  "spring-sale": { happy: 1.6, surprise: 1.3, neutral: 0.85 },
  "product-launch": { surprise: 2.3, happy: 1.3, fear: 1.2 },
  loyalty: { happy: 1.45, neutral: 1.1, angry: 0.7 },
  none: {},
};
const SOURCE_MIX: Record<string, Partial<Record<Emotion, number>>> = {
  "kiosk-lobby": { neutral: 1.3, happy: 0.85 },
  "survey-video": { sad: 1.3, neutral: 1.1 },
  "mobile-app": { happy: 1.15 },
  web: {},
};
const IMAGE_SIZES: Record<string, [number, number]> = {
  web: [1280, 960],
  "kiosk-lobby": [1920, 1080],
  "mobile-app": [1080, 1440],
  "survey-video": [1280, 720],
};

function emotionMix(source: string, campaign: string, hour: number, incident: boolean): [Emotion, number][] {
  return EMOTIONS.map((emotion) => {
    let weight =
      BASE_MIX[emotion] * (CAMPAIGN_MIX[campaign]?.[emotion] ?? 1) * (SOURCE_MIX[source]?.[emotion] ?? 1);
    if (hour >= 17 && emotion === "happy") weight *= 1.1;
    if (incident && emotion === "angry") weight *= 4;
    if (incident && emotion === "sad") weight *= 2;
    return [emotion, weight];
  });
}

/** A softmax-like vector with `dominant` clearly on top, summing to 1. */
function probabilities(random: () => number, dominant: Emotion): number[] {
  const top = 0.5 + 0.45 * random();
  const others = EMOTIONS.map((e) => (e === dominant ? 0 : 0.05 + random() ** 2));
  const scale = (1 - top) / others.reduce((a, b) => a + b, 0);
  return EMOTIONS.map((e, i) => (e === dominant ? top : others[i]! * scale));
}

/** Column names of the analysis table, for json_populate_recordset. */
const analysisRow = (a: Prisma.AnalysisCreateManyInput) => ({
  id: a.id,
  idempotency_scope: a.idempotencyScope,
  client_request_id: a.clientRequestId,
  source: a.source,
  campaign: a.campaign,
  captured_at: (a.capturedAt as Date).toISOString(),
  model_version: a.modelVersion,
  backend: a.backend,
  image_width: a.imageWidth,
  image_height: a.imageHeight,
  face_count: a.faceCount,
  timings: a.timings,
  is_demo: a.isDemo,
});

const faceRow = (f: Prisma.FaceCreateManyInput) => ({
  analysis_id: f.analysisId,
  index: f.index,
  box_x: f.boxX,
  box_y: f.boxY,
  box_width: f.boxWidth,
  box_height: f.boxHeight,
  detection_score: f.detectionScore,
  probabilities: f.probabilities,
  dominant_emotion: f.dominantEmotion,
  valence: f.valence,
  captured_at: (f.capturedAt as Date).toISOString(),
  source: f.source,
  campaign: f.campaign,
  is_demo: f.isDemo,
});

/** Loads `days` of synthetic analyses ending at `now` in one transaction; rollups are computed in SQL. */
export async function seedDemoData(prisma: DbClient, options: SeedDemoOptions = {}): Promise<SeedDemoResult> {
  const days = options.days ?? 42;
  const facesPerDay = options.facesPerDay ?? 250;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(days) || days < 1 || days > 3650)
    throw badInput("days must be an integer from 1 to 3650");
  if (!Number.isInteger(facesPerDay) || facesPerDay < 1 || facesPerDay > 100_000)
    throw badInput("facesPerDay must be an integer from 1 to 100000");
  const to = new Date(Math.floor((options.now ?? new Date()).getTime() / HOUR_MS) * HOUR_MS);
  const from = new Date(to.getTime() - days * DAY_MS);
  const scope = `demo:${seed}`;

  const existing = await prisma.analysis.aggregate({
    where: { idempotencyScope: scope },
    _count: { _all: true },
    _sum: { faceCount: true },
  });
  if (existing._count._all > 0) {
    return { analyses: existing._count._all, faces: existing._sum.faceCount ?? 0, skipped: true, from, to };
  }

  const random = prng(seed);
  const analyses: Prisma.AnalysisCreateManyInput[] = [];
  const faces: Prisma.FaceCreateManyInput[] = [];
  const incidentDay = Math.floor(days * 0.7);
  const hourTotal = HOUR_PROFILE.reduce((a, b) => a + b, 0);
  let n = 0;
  for (let day = 0; day < days; day++) {
    const dayStart = from.getTime() + day * DAY_MS;
    const weekday = new Date(dayStart).getUTCDay(); // 0 Sunday .. 6 Saturday
    const weekend = weekday === 0 || weekday === 6;
    const trend = 0.85 + 0.3 * (day / days);
    const progress = day / days;
    for (let hour = 0; hour < 24; hour++) {
      const hourStart = dayStart + hour * HOUR_MS;
      if (hourStart >= to.getTime()) break;
      const expected =
        (facesPerDay * trend * (weekend ? 0.65 : 1.1) * HOUR_PROFILE[hour]!) / hourTotal / 1.45;
      const count = Math.max(0, Math.round(expected * (0.7 + 0.6 * random())));
      for (let i = 0; i < count; i++) {
        const source = pick(random, [
          ["web", 0.35],
          ["kiosk-lobby", weekend ? 0.1 : 0.28],
          ["mobile-app", weekend ? 0.42 : 0.27],
          ["survey-video", 0.1],
        ] as const);
        const campaign = pick(random, [
          ["spring-sale", progress < 0.5 ? 0.3 : 0.02],
          ["product-launch", progress >= 0.6 ? 0.35 : 0],
          ["loyalty", 0.15],
          ["none", 0.4],
        ] as const);
        const faceCount = pick(random, [
          [1, 0.7],
          [2, 0.18],
          [3, 0.08],
          [4, 0.04],
        ] as const);
        const capturedAt = new Date(hourStart + Math.floor(random() * HOUR_MS));
        const id = randomUUID();
        const [width, height] = IMAGE_SIZES[source]!;
        const incident = day === incidentDay && source === "kiosk-lobby";
        analyses.push({
          id,
          idempotencyScope: scope,
          clientRequestId: `demo-${seed}-${n++}`,
          source,
          campaign,
          capturedAt,
          modelVersion: DEMO_MODEL_VERSION,
          backend: "synthetic",
          imageWidth: width,
          imageHeight: height,
          faceCount,
          timings: {
            decodeMs: 3 + random() * 4,
            detectMs: 8 + random() * 10,
            classifyMs: 2 + random() * 3 * faceCount,
          },
          isDemo: true,
        });
        for (let index = 0; index < faceCount; index++) {
          const dominant = pick(random, emotionMix(source, campaign, hour, incident));
          const probs = probabilities(random, dominant);
          const size = Math.round(Math.min(width, height) * (0.12 + 0.2 * random()));
          faces.push({
            analysisId: id,
            index,
            boxX: Math.round(random() * (width - size)),
            boxY: Math.round(random() * (height - size)),
            boxWidth: size,
            boxHeight: size,
            detectionScore: 0.8 + 0.19 * random(),
            probabilities: probs,
            dominantEmotion: dominant,
            valence: valenceOf(probs),
            capturedAt,
            source,
            campaign,
            isDemo: true,
          });
        }
      }
    }
  }

  await prisma.$transaction(
    async (tx) => {
      // Bulk insert as one JSON parameter per batch (json_populate_recordset): the same on both adapters and
      // much faster than createMany, whose per-row query building dominates at this size.
      for (let i = 0; i < analyses.length; i += INSERT_BATCH) {
        const batch = JSON.stringify(analyses.slice(i, i + INSERT_BATCH).map(analysisRow));
        await tx.$executeRaw`
          INSERT INTO analysis (id, idempotency_scope, client_request_id, source, campaign, captured_at, model_version, backend,
                                image_width, image_height, face_count, timings, is_demo)
          SELECT id, idempotency_scope, client_request_id, source, campaign, captured_at, model_version, backend,
                 image_width, image_height, face_count, timings, is_demo
          FROM json_populate_recordset(NULL::analysis, ${batch}::json)`;
      }
      for (let i = 0; i < faces.length; i += INSERT_BATCH) {
        const batch = JSON.stringify(faces.slice(i, i + INSERT_BATCH).map(faceRow));
        await tx.$executeRaw`
          INSERT INTO face (analysis_id, index, box_x, box_y, box_width, box_height, detection_score, probabilities,
                            dominant_emotion, valence, captured_at, source, campaign, is_demo)
          SELECT analysis_id, index, box_x, box_y, box_width, box_height, detection_score, probabilities,
                 dominant_emotion, valence, captured_at, source, campaign, is_demo
          FROM json_populate_recordset(NULL::face, ${batch}::json)`;
      }
      await tx.$executeRaw`
        INSERT INTO hourly_emotion_rollup (hour_start, source, campaign, emotion, is_demo, faces, valence_sum)
        SELECT date_trunc('hour', f.captured_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', f.source, f.campaign,
               f.dominant_emotion, f.is_demo, count(*)::int, sum(f.valence)
        FROM face f JOIN analysis a ON a.id = f.analysis_id
        WHERE a.idempotency_scope = ${scope}
        GROUP BY 1, 2, 3, 4, 5
        ON CONFLICT (hour_start, source, campaign, emotion, is_demo, kind) DO UPDATE
        SET faces = hourly_emotion_rollup.faces + EXCLUDED.faces,
            valence_sum = hourly_emotion_rollup.valence_sum + EXCLUDED.valence_sum`;
    },
    // One transaction keeps a seed all-or-nothing; large seeds (1 M faces) take minutes on a busy machine.
    { timeout: 3_600_000, maxWait: 30_000 },
  );
  return { analyses: analyses.length, faces: faces.length, skipped: false, from, to };
}

/** Removes demo data (all seeds, or one), rollups included, in one transaction. */
export async function deleteDemoData(
  prisma: DbClient,
  options: { seed?: number } = {},
): Promise<{ analyses: number }> {
  return prisma.$transaction(
    async (tx) => {
      const scope = options.seed === undefined ? undefined : `demo:${options.seed}`;
      const where = scope ? { isDemo: true, idempotencyScope: scope } : { isDemo: true };
      // Subtract exactly what is deleted from the rollups, then drop emptied rows.
      await tx.$executeRaw`
      UPDATE hourly_emotion_rollup r SET faces = r.faces - d.faces, valence_sum = r.valence_sum - d.valence_sum
      FROM (SELECT date_trunc('hour', f.captured_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour_start, f.source, f.campaign,
                   f.dominant_emotion AS emotion, count(*)::int AS faces, sum(f.valence) AS valence_sum
            FROM face f JOIN analysis a ON a.id = f.analysis_id
            WHERE a.is_demo AND (${scope ?? null}::text IS NULL OR a.idempotency_scope = ${scope ?? null}::text)
            GROUP BY 1, 2, 3, 4) d
      WHERE r.hour_start = d.hour_start AND r.source = d.source AND r.campaign = d.campaign AND r.emotion = d.emotion AND r.is_demo`;
      await tx.$executeRaw`DELETE FROM hourly_emotion_rollup WHERE faces <= 0`;
      const { count } = await tx.analysis.deleteMany({ where });
      return { analyses: count };
    },
    { timeout: 120_000 },
  );
}

export interface SeedDefaultModelResult {
  /** The production version after the call (registered now, or already there). */
  version: ModelVersion | null;
  /** What happened: "registered", "production-exists" or "no-model". */
  outcome: "registered" | "production-exists" | "no-model";
}

interface ModelMetadata {
  version?: string;
  runId?: string;
  metrics?: Record<string, unknown>;
  weightsSha256?: string;
  createdAt?: string;
}

/** One line for logs: what `seedDefaultModel` did (the version record itself holds the whole metadata). */
export function describeSeededModel(result: SeedDefaultModelResult, modelDir: string): string {
  if (result.outcome === "no-model")
    return `no trained model in ${modelDir} yet: nothing registered (analyze will report MODEL_NOT_TRAINED)`;
  const version = result.version!;
  const accuracy = (version.metrics as { valAccuracy?: unknown } | null)?.valAccuracy;
  const facts = [
    version.runId ? `run ${version.runId}` : null,
    typeof accuracy === "number" ? `val accuracy ${(accuracy * 100).toFixed(1)} %` : null,
  ].filter(Boolean);
  const what = `${version.version}${facts.length ? ` (${facts.join(", ")})` : ""}`;
  return result.outcome === "registered"
    ? `registered ${modelDir} as active model version ${what}`
    : `active model version already set: ${what}`;
}

/**
 * Registers the shipped model (models/default) as the production version when no production version exists.
 * A folder without metadata.json (no trained model yet) registers nothing.
 */
export async function seedDefaultModel(prisma: DbClient, modelDir: string): Promise<SeedDefaultModelResult> {
  const active = await getActiveModelVersion(prisma);
  if (active) return { version: active, outcome: "production-exists" };
  let metadata: ModelMetadata;
  try {
    metadata = JSON.parse(await readFile(path.join(modelDir, "metadata.json"), "utf8")) as ModelMetadata;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: null, outcome: "no-model" };
    throw badInput(`cannot read ${path.join(modelDir, "metadata.json")}: ${(error as Error).message}`);
  }
  const sha = metadata.weightsSha256 ?? null;
  // The served-model rule's name, so analyses recorded before this seed and after it count under one version.
  const version = metadata.version ?? (sha ? servedVersionName(undefined, sha) : "default");
  const run = metadata.runId
    ? await prisma.run.findUnique({ where: { id: metadata.runId }, select: { id: true } })
    : null;
  await registerModelVersion(prisma, {
    version,
    runId: run?.id ?? null,
    path: path.resolve(modelDir),
    metrics: metadata.metrics ?? {},
    metadata: metadata as Record<string, unknown>,
    weightsSha256: sha,
    stage: "staging",
  });
  const { promoted } = await promoteModelVersion(prisma, version);
  return { version: promoted, outcome: "registered" };
}
