import * as db from "@moodlens/db";
import { createTestDatabase } from "@moodlens/db/testing";
import { EMOTIONS, valenceOf } from "@moodlens/shared";
import { log } from "../core/child";
import type { ModeSettings } from "../core/constants";
import { median, msSince, now, round } from "../core/stats";

/** The stored faces span this many days ending at DATA_END (DAY buckets: one per day). */
const DAYS = 180;
const DATA_END = new Date("2026-11-01T00:00:00Z");
const FACES_PER_ANALYSIS = 4;
const SOURCES = ["kiosk", "web", "app"];
const CAMPAIGNS = ["spring", "summer", "none"];

type StatsFn = (
  prisma: unknown,
  filter: Record<string, unknown>,
  bucket?: string,
) => Promise<{ totalFaces: number; buckets: unknown[]; computedFrom: string }>;

export interface StatsQueryTiming {
  query: string;
  computedFrom: string;
  firstMs: number;
  medianMs: number;
  runsMs: number[];
  buckets: number;
  totalFaces: number;
}

export interface StatsResult {
  storedFaces: number;
  loadSeconds: number;
  queries: StatsQueryTiming[];
}

/** One deterministic probability vector per emotion: 0.52 on the dominant one, 0.08 on each of the others. */
const probabilityRows = () =>
  EMOTIONS.map((emotion, k) => {
    const probabilities = EMOTIONS.map((_, j) => (j === k ? 0.52 : 0.08));
    return `(${k}, '${emotion}'::"Emotion", ARRAY[${probabilities.join(",")}]::float8[], ${valenceOf(probabilities)}::float8)`;
  }).join(",\n");

/**
 * Bulk-loads analyses + faces with generate_series (rows shaped exactly like recordAnalysis writes them: same
 * tables, same denormalised columns on face), then rebuilds hourly_emotion_rollup from the face table with the same
 * UTC-hour key the db package's upserts use, so emotionStats runs its real query path.
 */
async function loadFaces(prisma: db.PrismaClient, fromAnalysis: number, analyses: number): Promise<void> {
  await prisma.$transaction((tx) => insertRows(tx as unknown as db.PrismaClient, fromAnalysis, analyses), {
    timeout: 30 * 60_000,
    maxWait: 60_000,
  });
  await prisma.$executeRawUnsafe("ANALYZE analysis, face, hourly_emotion_rollup");
}

async function insertRows(prisma: db.PrismaClient, fromAnalysis: number, analyses: number): Promise<void> {
  const endMs = DATA_END.getTime();
  const spanMs = DAYS * 86_400_000;
  const total = fromAnalysis + analyses;
  // The rows are consistent by construction (every face's analysis is inserted first): skip the per-row foreign-key
  // triggers for this bulk load only (transaction-local; needs the superuser the bench connects as).
  await prisma.$executeRawUnsafe("SET LOCAL session_replication_role = replica");
  await prisma.$executeRawUnsafe("SET LOCAL work_mem = '256MB'");
  // Ids grow with g (uuid built from its hex) so primary-key inserts append instead of landing at random pages.
  await prisma.$executeRawUnsafe(`
    INSERT INTO analysis (id, idempotency_scope, source, campaign, captured_at, created_at, model_version, backend,
                          image_width, image_height, face_count, timings, is_demo)
    SELECT lpad(to_hex(g), 32, '0')::uuid, 'anonymous', (ARRAY['${SOURCES.join("','")}'])[1 + g % ${SOURCES.length}],
           (ARRAY['${CAMPAIGNS.join("','")}'])[1 + (g / ${SOURCES.length}) % ${CAMPAIGNS.length}],
           to_timestamp(${(endMs - spanMs) / 1000} + (g::float8 / ${total}) * ${spanMs / 1000}), now(), 'bench', 'wasm',
           640, 480, ${FACES_PER_ANALYSIS}, '{}'::jsonb, false
    FROM generate_series(${fromAnalysis}, ${total - 1}) AS g`);
  await prisma.$executeRawUnsafe(`
    WITH lut (k, emotion, probabilities, valence) AS (VALUES ${probabilityRows()})
    INSERT INTO face (analysis_id, index, box_x, box_y, box_width, box_height, detection_score, probabilities,
                      dominant_emotion, valence, captured_at, source, campaign, is_demo)
    SELECT lpad(to_hex(g), 32, '0')::uuid, i, 40 + i * 90, 60, 80, 80, 0.9, lut.probabilities, lut.emotion, lut.valence,
           to_timestamp(${(endMs - spanMs) / 1000} + (g::float8 / ${total}) * ${spanMs / 1000}),
           (ARRAY['${SOURCES.join("','")}'])[1 + g % ${SOURCES.length}],
           (ARRAY['${CAMPAIGNS.join("','")}'])[1 + (g / ${SOURCES.length}) % ${CAMPAIGNS.length}], false
    FROM generate_series(${fromAnalysis}, ${total - 1}) AS g
    CROSS JOIN generate_series(0, ${FACES_PER_ANALYSIS - 1}) AS i
    JOIN lut ON lut.k = abs(hashint4(g * ${FACES_PER_ANALYSIS} + i)) % ${EMOTIONS.length}`);
  // Rebuilt from all faces: the same rows the per-analysis upserts would have produced, in one statement.
  await prisma.$executeRawUnsafe("TRUNCATE hourly_emotion_rollup");
  await prisma.$executeRawUnsafe(`
    INSERT INTO hourly_emotion_rollup (hour_start, source, campaign, emotion, is_demo, faces, valence_sum)
    SELECT date_trunc('hour', captured_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', source, campaign, dominant_emotion,
           is_demo, count(*)::int, sum(valence)
    FROM face
    GROUP BY 1, 2, 3, 4, 5`);
}

/** emotionStats by DAY over the whole range: UTC (served from rollups) and Asia/Kolkata (+05:30: exact, from faces). */
async function timeQueries(
  prisma: db.PrismaClient,
  emotionStats: StatsFn,
  repetitions: number,
  storedFaces: number,
) {
  const filter = { from: new Date(DATA_END.getTime() - DAYS * 86_400_000), to: DATA_END };
  const queries: StatsQueryTiming[] = [];
  for (const timezone of ["UTC", "Asia/Kolkata"]) {
    const runsMs: number[] = [];
    let last: Awaited<ReturnType<StatsFn>> | undefined;
    for (let run = 0; run <= repetitions; run++) {
      const start = now();
      last = await emotionStats(prisma, { ...filter, timezone }, "DAY");
      runsMs.push(msSince(start));
    }
    if (last!.totalFaces !== storedFaces)
      throw new Error(`emotionStats counted ${last!.totalFaces} faces, ${storedFaces} are stored`);
    const timing: StatsQueryTiming = {
      query: `emotionStats(bucket DAY, ${DAYS} days, timezone ${timezone})`,
      computedFrom: last!.computedFrom,
      firstMs: round(runsMs[0]!, 1),
      medianMs: round(median(runsMs.slice(1)), 1),
      runsMs: runsMs.map((ms) => round(ms, 1)),
      buckets: last!.buckets.length,
      totalFaces: last!.totalFaces,
    };
    log(`stats: ${storedFaces} faces, ${timezone}: ${timing.medianMs} ms median (${timing.computedFrom})`);
    queries.push(timing);
  }
  return queries;
}

/** Fills a fresh PostgreSQL database to each size in settings.statsFaces in turn and times emotionStats at each. */
export async function measureStats(settings: ModeSettings): Promise<StatsResult[]> {
  const emotionStats = (db as unknown as { emotionStats?: StatsFn }).emotionStats;
  if (!emotionStats) throw new Error("@moodlens/db does not export emotionStats yet");
  const database = await createTestDatabase("postgres");
  const results: StatsResult[] = [];
  try {
    const prisma = database.db.prisma;
    let analyses = 0;
    for (const faces of settings.statsFaces) {
      const target = faces / FACES_PER_ANALYSIS;
      const start = now();
      await loadFaces(prisma, analyses, target - analyses);
      analyses = target;
      const loadSeconds = round(msSince(start) / 1000, 1);
      log(`stats: loaded ${faces} faces in ${loadSeconds} s`);
      results.push({
        storedFaces: faces,
        loadSeconds,
        queries: await timeQueries(prisma, emotionStats, settings.statsRepetitions, faces),
      });
    }
  } finally {
    await database.drop();
  }
  return results;
}
