/**
 * Paired before/after of the analysis path of two checkouts of this repo (e.g. before and after a refactor):
 *
 *   cd bench && npx tsx src/sections/api-paired.ts --a ../../moodlens-before [--b ..] [--rounds 100]
 *     [--store false] [--images oneFace,groupPhoto] [--throughput-images oneFace] [--out file.json]
 *
 * Both checkouts' real API servers (apps/api/src/main.ts under tsx, each with its own models/default and a fresh
 * PostgreSQL database, the API section's settings) start at once and stay up; the same image is posted to each in
 * turn, A then B, then B then A, ..., one request at a time, to POST /v1/analyze (raw bytes) and to the GraphQL
 * analyzeImage mutation (base64), so the machine's load falls on both sides alike. Per case: p50/p95 latency per
 * side, the ratio of the medians, the median of the per-pair ratios with a 95 % interval (sign-test order
 * statistics), the server's CPU time per request (/proc utime + stime of the API process, all threads) and the
 * paired change "outside the model" (latency minus the answer's timings.totalMs: HTTP, parsing, base64, GraphQL,
 * storage). Then closed-loop throughput with a few concurrent clients, in blocks alternating A, B, then B, A.
 * A checkout needs its dependencies installed (node scripts/ensure-install.mjs) and ../shared beside it.
 */
import { spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "../core/paths";
import { median, msSince, now, round } from "../core/stats";
import { makeOneFaceImage } from "../data/one-face";
import { loadGroupPhotos } from "../data/photos";
import { startApi } from "./api";

/** The field set POST /v1/analyze answers with, asked for through GraphQL too so both answers weigh the same. */
const ANALYZE_MUTATION = /* GraphQL */ `
  mutation Paired($input: AnalyzeImageInput!) {
    analyzeImage(input: $input) {
      id
      modelVersion
      backend
      faceCount
      skipped
      source
      campaign
      capturedAt
      createdAt
      clientRequestId
      stored
      deduplicated
      timings {
        decodeMs
        detectMs
        classifyMs
        explainMs
        totalMs
      }
      image {
        width
        height
        format
        bytes
      }
      faces {
        index
        detectionScore
        dominantEmotion
        valence
        saliency
        box {
          x
          y
          width
          height
        }
        emotions {
          emotion
          probability
        }
        landmarks {
          x
          y
        }
      }
    }
  }
`;

const READY_TIMEOUT_MS = 180_000;
const CLOCK_TICKS_PER_SECOND = 100;

type Route = "rest" | "graphql";
type ImageName = "oneFace" | "groupPhoto";
type Side = "a" | "b";

interface Server {
  label: string;
  root: string;
  sha: string;
  /** from spawn until GraphQL answered { __typename } */
  startupMs: number;
  process: ChildProcess;
  stderr: () => string;
}

interface Request {
  url: string;
  init: RequestInit;
}

function gitSha(root: string): string {
  const result = spawnSync("git", ["-C", root, "rev-parse", "HEAD"], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : "unknown";
}

/** CPU time (user + system, all threads) of a live process so far, ms (Linux /proc; 10 ms resolution). */
function cpuMs(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is the state (field 3 of stat): utime and stime are fields 14 and 15.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** One checkout's API on a free port with its own database and model, started the way the bench's API section does. */
async function startCheckoutApi(
  label: string,
  root: string,
  databaseUrl: string,
): Promise<{ server: Server; port: number; stop: () => Promise<void> }> {
  const running = await startApi({
    databaseUrl,
    modelDir: join(root, "models", "default"),
    root,
    readyTimeoutMs: READY_TIMEOUT_MS,
  }).catch((error: unknown) => {
    throw new Error(`${label}: ${(error as Error).message}`);
  });
  return {
    server: {
      label,
      root,
      sha: gitSha(root),
      startupMs: running.startupMs,
      process: running.server,
      stderr: running.stderr,
    },
    port: running.port,
    stop: running.stop,
  };
}

function requestFor(port: number, route: Route, image: Buffer, store: boolean): Request {
  if (route === "rest") {
    return {
      url: `http://127.0.0.1:${port}/v1/analyze?source=bench&store=${store}`,
      init: { method: "POST", headers: { "content-type": "image/jpeg" }, body: new Uint8Array(image) },
    };
  }
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    init: {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: ANALYZE_MUTATION,
        variables: { input: { image: image.toString("base64"), source: "bench", store } },
      }),
    },
  };
}

interface Answer {
  faces: number;
  backend: string;
  modelVersion: string;
  /** the service's own timings.totalMs (decode + detect + classify + explain) */
  totalMs: number;
}

/** Sends one request, reads the whole answer and checks that it is an analysis. */
async function send(request: Request, route: Route): Promise<Answer> {
  const response = await fetch(request.url, request.init);
  const text = await response.text();
  type Analysis = {
    faceCount?: number;
    backend?: string;
    modelVersion?: string;
    timings?: { totalMs?: number };
  };
  const json = JSON.parse(text) as { analysis?: Analysis; data?: { analyzeImage?: Analysis } };
  const analysis = route === "rest" ? json.analysis : json.data?.analyzeImage;
  if (response.status !== 200 || typeof analysis?.faceCount !== "number")
    throw new Error(`${request.url} answered ${response.status}: ${text.slice(0, 300)}`);
  return {
    faces: analysis.faceCount,
    backend: String(analysis.backend),
    modelVersion: String(analysis.modelVersion),
    totalMs: Number(analysis.timings?.totalMs),
  };
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

/** 95 % interval of a median from its order statistics (sign test, normal approximation of the binomial). */
function medianInterval(values: readonly number[]): [number, number] | null {
  const n = values.length;
  if (n < 6) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const k = Math.max(0, Math.floor(n / 2 - 0.98 * Math.sqrt(n)));
  return [sorted[k]!, sorted[n - 1 - k]!];
}

interface LatencySide {
  p50Ms: number;
  p95Ms: number;
  meanMs: number;
  /** Server CPU time (all threads) per request, ms. */
  cpuMsPerRequest: number;
  /** p50 of the service's own timings.totalMs: the rest of the latency is HTTP, parsing, base64, GraphQL, storage */
  serviceTotalP50Ms: number;
  /** p50 of each request's latency minus its timings.totalMs: the part outside the model (where issue 17 cut work) */
  outsideServiceP50Ms: number;
  backend: string;
  modelVersion: string;
}

interface LatencyCase {
  route: Route;
  image: ImageName;
  faces: number;
  pairs: number;
  a: LatencySide;
  b: LatencySide;
  /** b p50 / a p50 */
  ratioOfMedians: number;
  /** median over pairs of b_i / a_i, with its 95 % interval */
  medianPairRatio: number;
  pairRatioInterval95: [number, number] | null;
  /** share of pairs in which b answered first */
  bFasterShare: number;
  cpuRatio: number;
  /** median over pairs of (b_i - b's totalMs) - (a_i - a's totalMs), ms: the paired change outside the model */
  outsideServicePairDiffMs: number;
  outsideServicePairDiffInterval95: [number, number] | null;
  loadAverage1m: number;
  /** every request's latency and timings.totalMs, ms, in run order */
  samples: Record<Side, { ms: number[]; serviceMs: number[] }>;
}

interface ThroughputBlock {
  side: Side;
  requestsPerSec: number;
  cpuMsPerRequest: number;
}

interface ThroughputCase {
  route: Route;
  image: ImageName;
  clients: number;
  requestsPerBlock: number;
  blocks: ThroughputBlock[];
  aMedianRps: number;
  bMedianRps: number;
  /** b / a of each A,B block pair (in run order), and their median */
  pairRatios: number[];
  medianPairRatio: number;
  loadAverage1m: number;
}

const summarise = (times: number[], cpu: number, answers: Answer[]): LatencySide => ({
  p50Ms: round(median(times), 1),
  p95Ms: round(quantile(times, 0.95), 1),
  meanMs: round(times.reduce((sum, t) => sum + t, 0) / times.length, 1),
  cpuMsPerRequest: round(cpu / times.length, 1),
  serviceTotalP50Ms: round(median(answers.map((answer) => answer.totalMs)), 1),
  outsideServiceP50Ms: round(median(times.map((time, index) => time - answers[index]!.totalMs)), 1),
  backend: [...new Set(answers.map((answer) => answer.backend))].join(", "),
  modelVersion: [...new Set(answers.map((answer) => answer.modelVersion))].join(", "),
});

async function latencyCase(
  servers: Record<Side, { server: Server; port: number }>,
  route: Route,
  name: ImageName,
  image: Buffer,
  store: boolean,
  rounds: number,
  warmup: number,
): Promise<LatencyCase> {
  const requests = {
    a: requestFor(servers.a.port, route, image, store),
    b: requestFor(servers.b.port, route, image, store),
  };
  let faces = 0;
  for (let index = 0; index < warmup; index++)
    for (const side of ["a", "b"] as const) faces = (await send(requests[side], route)).faces;
  const times: Record<Side, number[]> = { a: [], b: [] };
  const answers: Record<Side, Answer[]> = { a: [], b: [] };
  const cpu: Record<Side, number> = { a: 0, b: 0 };
  const loads: number[] = [];
  for (let index = 0; index < rounds; index++) {
    // A B, B A, A B ...: neither side always goes first (after the other's request, in its wake).
    const order: Side[] = index % 2 === 0 ? ["a", "b"] : ["b", "a"];
    for (const side of order) {
      const pid = servers[side].server.process.pid;
      const cpuBefore = cpuMs(pid);
      const start = now();
      const answer = await send(requests[side], route);
      times[side].push(msSince(start));
      answers[side].push(answer);
      cpu[side] += cpuMs(pid) - cpuBefore;
    }
    loads.push(loadavg()[0]!);
  }
  const a = summarise(times.a, cpu.a, answers.a);
  const b = summarise(times.b, cpu.b, answers.b);
  const pairRatios = times.a.map((t, index) => times.b[index]! / t);
  const outside = (side: Side, index: number) => times[side][index]! - answers[side][index]!.totalMs;
  const outsideDiffs = times.a.map((_, index) => outside("b", index) - outside("a", index));
  const outsideInterval = medianInterval(outsideDiffs);
  const samples = (side: Side) => ({
    ms: times[side].map((t) => round(t, 1)),
    serviceMs: answers[side].map((answer) => answer.totalMs),
  });
  const interval = medianInterval(pairRatios);
  return {
    route,
    image: name,
    faces,
    pairs: rounds,
    a,
    b,
    ratioOfMedians: round(b.p50Ms / a.p50Ms, 3),
    medianPairRatio: round(median(pairRatios), 3),
    pairRatioInterval95: interval ? [round(interval[0], 3), round(interval[1], 3)] : null,
    bFasterShare: round(pairRatios.filter((r) => r < 1).length / rounds, 2),
    cpuRatio: round(b.cpuMsPerRequest / a.cpuMsPerRequest, 3),
    outsideServicePairDiffMs: round(median(outsideDiffs), 1),
    outsideServicePairDiffInterval95: outsideInterval
      ? [round(outsideInterval[0], 1), round(outsideInterval[1], 1)]
      : null,
    loadAverage1m: round(median(loads), 2),
    samples: { a: samples("a"), b: samples("b") },
  };
}

/** `clients` concurrent closed-loop clients until `amount` requests are answered; requests per second. */
async function closedLoop(request: Request, route: Route, clients: number, amount: number): Promise<number> {
  let sent = 0;
  const start = now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (sent < amount) {
        sent++;
        await send(request, route);
      }
    }),
  );
  return (amount * 1000) / msSince(start);
}

async function throughputCase(
  servers: Record<Side, { server: Server; port: number }>,
  route: Route,
  name: ImageName,
  image: Buffer,
  store: boolean,
  clients: number,
  requestsPerBlock: number,
  blockPairs: number,
): Promise<ThroughputCase> {
  const requests = {
    a: requestFor(servers.a.port, route, image, store),
    b: requestFor(servers.b.port, route, image, store),
  };
  const blocks: ThroughputBlock[] = [];
  const loads: number[] = [];
  const pairRatios: number[] = [];
  for (let index = 0; index < blockPairs; index++) {
    const order: Side[] = index % 2 === 0 ? ["a", "b"] : ["b", "a"];
    const rps: Partial<Record<Side, number>> = {};
    for (const side of order) {
      const pid = servers[side].server.process.pid;
      const cpuBefore = cpuMs(pid);
      rps[side] = await closedLoop(requests[side], route, clients, requestsPerBlock);
      blocks.push({
        side,
        requestsPerSec: round(rps[side], 2),
        cpuMsPerRequest: round((cpuMs(pid) - cpuBefore) / requestsPerBlock, 1),
      });
    }
    pairRatios.push(round(rps.b! / rps.a!, 3));
    loads.push(loadavg()[0]!);
  }
  const bySide = (side: Side) => blocks.filter((block) => block.side === side).map((b) => b.requestsPerSec);
  return {
    route,
    image: name,
    clients,
    requestsPerBlock,
    blocks,
    aMedianRps: round(median(bySide("a")), 2),
    bMedianRps: round(median(bySide("b")), 2),
    pairRatios,
    medianPairRatio: round(median(pairRatios), 3),
    loadAverage1m: round(median(loads), 2),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      a: { type: "string" },
      b: { type: "string", default: REPO_ROOT },
      rounds: { type: "string", default: "100" },
      warmup: { type: "string", default: "5" },
      images: { type: "string", default: "oneFace,groupPhoto" },
      routes: { type: "string", default: "rest,graphql" },
      clients: { type: "string", default: "4" },
      "throughput-requests": { type: "string", default: "40" },
      "throughput-pairs": { type: "string", default: "5" },
      "throughput-images": { type: "string", default: "oneFace,groupPhoto" },
      store: { type: "string", default: "true" },
      out: { type: "string" },
    },
  });
  if (!values.a) throw new Error("--a <checkout> is required (--b defaults to this checkout)");
  const roots = { a: resolve(values.a), b: resolve(values.b!) };
  const rounds = Number(values.rounds);
  const store = values.store !== "false";
  const warmup = Number(values.warmup);
  const routes = values.routes!.split(",") as Route[];
  const imageNames = values.images!.split(",").filter(Boolean) as ImageName[];
  const throughputImages = values["throughput-images"]!.split(",").filter(Boolean) as ImageName[];

  const photos = await loadGroupPhotos();
  const group = photos.find((photo) => photo.name === "2008_002079.jpg") ?? photos[0]!;
  const images: Record<ImageName, { bytes: Buffer; origin: string }> = {
    oneFace: await makeOneFaceImage(),
    groupPhoto: { bytes: group.bytes, origin: `${group.name} from the group photos` },
  };

  const { createTestDatabase } = await import("@moodlens/db/testing");
  const databases = { a: await createTestDatabase("postgres"), b: await createTestDatabase("postgres") };
  const started: Partial<Record<Side, Awaited<ReturnType<typeof startCheckoutApi>>>> = {};
  try {
    // Both start at once, so the load of their start-up falls on both alike too.
    const starts = await Promise.allSettled(
      (["a", "b"] as const).map(async (side) => {
        started[side] = await startCheckoutApi(side, roots[side], databases[side].url!);
      }),
    );
    const failed = starts.find((start) => start.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const servers = started as Record<Side, { server: Server; port: number }>;
    process.stderr.write(
      `a = ${roots.a} (${servers.a.server.sha}, ready in ${servers.a.server.startupMs} ms), ` +
        `b = ${roots.b} (${servers.b.server.sha}, ready in ${servers.b.server.startupMs} ms)\n`,
    );
    const latency: LatencyCase[] = [];
    for (const name of imageNames)
      for (const route of routes) {
        const result = await latencyCase(servers, route, name, images[name].bytes, store, rounds, warmup);
        latency.push(result);
        process.stderr.write(
          `latency ${route} ${name} (${result.faces} faces, ${rounds} pairs, load ${result.loadAverage1m}): ` +
            `a p50 ${result.a.p50Ms} ms, b p50 ${result.b.p50Ms} ms, b/a ${result.ratioOfMedians}, ` +
            `pair ratio ${result.medianPairRatio} [${result.pairRatioInterval95?.join(", ") ?? "-"}], ` +
            `cpu/request a ${result.a.cpuMsPerRequest} b ${result.b.cpuMsPerRequest} ms, ` +
            `service p50 a ${result.a.serviceTotalP50Ms} b ${result.b.serviceTotalP50Ms} ms, ` +
            `outside it p50 a ${result.a.outsideServiceP50Ms} b ${result.b.outsideServiceP50Ms} ms ` +
            `(paired b-a ${result.outsideServicePairDiffMs} ms [${result.outsideServicePairDiffInterval95?.join(", ") ?? "-"}]), ` +
            `backend a ${result.a.backend} b ${result.b.backend}\n`,
        );
      }
    const throughput: ThroughputCase[] = [];
    for (const name of throughputImages)
      for (const route of routes) {
        const result = await throughputCase(
          servers,
          route,
          name,
          images[name].bytes,
          store,
          Number(values.clients),
          Number(values["throughput-requests"]),
          Number(values["throughput-pairs"]),
        );
        throughput.push(result);
        process.stderr.write(
          `throughput ${route} ${name} x${result.clients} (load ${result.loadAverage1m}): a ${result.aMedianRps} req/s, ` +
            `b ${result.bMedianRps} req/s, pair ratios ${result.pairRatios.join(" ")}\n`,
        );
      }
    const report = {
      measuredAt: new Date().toISOString(),
      store,
      a: { root: roots.a, sha: servers.a.server.sha, startupMs: servers.a.server.startupMs },
      b: { root: roots.b, sha: servers.b.server.sha, startupMs: servers.b.server.startupMs },
      images: Object.fromEntries(
        [...new Set([...imageNames, ...throughputImages])].map((name) => [
          name,
          { origin: images[name].origin, bytes: images[name].bytes.byteLength },
        ]),
      ),
      notes: [
        `each checkout's API under tsx (NODE_ENV=production), its own models/default and fresh PostgreSQL database; store: ${store}`,
        "latency: one request at a time, A/B then B/A alternately; throughput: closed-loop blocks alternating A,B then B,A",
        "the client (this process) runs on the same machine: it encodes base64 once per case, not per request",
      ],
      latency,
      throughput,
    };
    const json = `${JSON.stringify(report, null, 2)}\n`;
    if (values.out) writeFileSync(values.out, json);
    else process.stdout.write(json);
  } finally {
    for (const side of ["a", "b"] as const) {
      if (started[side]) await started[side]!.stop();
      await databases[side].drop().catch(() => {});
    }
  }
}

await main();
