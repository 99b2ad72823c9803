import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import autocannon from "autocannon";
import { log } from "../core/child";
import type { ModeSettings } from "../core/constants";
import { REPO_ROOT } from "../core/paths";
import { msSince, now, round } from "../core/stats";
import { measureAbuseCases, type AbuseCase } from "./api-abuse";

const READY_TIMEOUT_MS = 120_000;

const ANALYZE_MUTATION =
  "mutation Bench($input: AnalyzeImageInput!) { analyzeImage(input: $input) { faceCount } }";

export interface ApiCase {
  image: "oneFace" | "groupPhoto";
  connections: number;
  /** Closed-loop throughput: clients x 1000 / mean latency (ms) of the completed requests. */
  requestsPerSec: number;
  /** Completed requests / autocannon's elapsed time (which ends on a whole-second tick: low for short cases). */
  requestsPerSecTicks?: number;
  facesPerSec: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  latencyMeanMs: number | null;
  requests: number;
  errors: number;
  non2xx: number;
  seconds: number;
}

export interface ApiResult {
  server: string;
  model: string;
  database: string;
  startupMs: number;
  images: Record<string, { origin: string; bytes: number; faces: number | null }>;
  coldFirstRequestMs: number | null;
  cases: ApiCase[];
  /** Peak RSS of the API process over the whole section (VmHWM). */
  peakRssBytes: number | null;
  /** Hostile and careless requests, each sent once before the load cases, with what they cost. */
  abuse?: AbuseCase[];
  notes: string[];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** Peak resident set size of a live process (Linux /proc VmHWM), bytes. */
function peakRss(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

async function post(url: string, body: string): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  return { status: response.status, json: await response.json().catch(() => null) };
}

async function waitUntilReady(url: string, server: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null)
      throw new Error(`the API exited with code ${server.exitCode} during startup`);
    try {
      const { status } = await post(url, JSON.stringify({ query: "{ __typename }" }));
      if (status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the API did not answer within ${timeoutMs / 1000} s`);
}

const requestBody = (image: Buffer) =>
  JSON.stringify({
    query: ANALYZE_MUTATION,
    variables: { input: { image: image.toString("base64"), source: "bench", store: true } },
  });

export interface RunningApi {
  url: string;
  port: number;
  server: ChildProcess;
  startupMs: number;
  /** The tail of the server's stderr (for error messages). */
  stderr(): string;
  stop(): Promise<void>;
}

async function stopServer(server: ChildProcess): Promise<void> {
  server.kill("SIGTERM");
  await new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.kill("SIGKILL");
      resolve(undefined);
    }, 10_000);
    server.once("exit", () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    if (server.exitCode !== null) resolve(undefined);
  });
}

/**
 * The real API server (apps/api/src/main.ts under tsx) on a free port, ready for GraphQL (also used by the video
 * section, and by api-paired.ts with `root` set to another checkout of this repo).
 */
export async function startApi(options: {
  databaseUrl: string;
  modelDir: string;
  /** The checkout whose API runs (default: this one). */
  root?: string;
  readyTimeoutMs?: number;
}): Promise<RunningApi> {
  const apiDir = join(options.root ?? REPO_ROOT, "apps", "api");
  const apiMain = join(apiDir, "src", "main.ts");
  if (!existsSync(apiMain)) throw new Error(`${apiMain} does not exist yet (the API is not written)`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/graphql`;
  const started = now();
  const server = spawn(process.execPath, ["--import", "tsx", apiMain], {
    cwd: apiDir,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: options.databaseUrl,
      MOODLENS_MODEL_DIR: options.modelDir,
      MOODLENS_AUTH: "optional",
      MOODLENS_RATE_LIMIT_PER_MINUTE: "100000000",
      MOODLENS_ANONYMOUS_RATE_LIMIT_PER_MINUTE: "100000000",
      MOODLENS_MODEL_POLL_MS: "0",
      NODE_ENV: "production",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  server.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    await waitUntilReady(url, server, options.readyTimeoutMs ?? READY_TIMEOUT_MS);
  } catch (error) {
    await stopServer(server);
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}${stderr ? `\n--- API stderr (tail) ---\n${stderr.slice(-1500)}` : ""}`);
  }
  const startupMs = round(msSince(started), 0);
  log(`api: ready in ${startupMs} ms on port ${port}`);
  return { url, port, server, startupMs, stderr: () => stderr, stop: () => stopServer(server) };
}

/**
 * The real API server with a fresh PostgreSQL database; autocannon (in this process) posts analyzeImage with a
 * one-face image and a group photo at 1, 8 and 32 concurrent clients.
 */
export async function measureApi(
  settings: ModeSettings,
  options: {
    databaseUrl: string;
    modelDir: string;
    modelLabel: string;
    images: Record<"oneFace" | "groupPhoto", { bytes: Buffer; origin: string }>;
  },
): Promise<ApiResult> {
  const api = await startApi(options);
  const { url, server } = api;
  const result: ApiResult = {
    server: `node --import tsx apps/api/src/main.ts (pid ${server.pid})`,
    model: options.modelLabel,
    database: "PostgreSQL 127.0.0.1:5432, fresh database per run (dropped afterwards)",
    startupMs: 0,
    images: {},
    coldFirstRequestMs: null,
    cases: [],
    peakRssBytes: null,
    notes: [
      `each case: clients x ${settings.apiRequestsPerClient} request(s) per client (a fixed amount: a group photo takes seconds on 2 cores)`,
      "autocannon runs in the bench process on the same 2 cores as the server: it takes some CPU from it",
      "analyzeImage with store: true (every request also writes the analysis, its faces and rollups)",
    ],
  };
  try {
    result.startupMs = api.startupMs;
    for (const [name, image] of Object.entries(options.images)) {
      const start = now();
      const { status, json } = await post(url, requestBody(image.bytes));
      const elapsed = msSince(start);
      if (result.coldFirstRequestMs === null) result.coldFirstRequestMs = round(elapsed, 1);
      const faces = (json as { data?: { analyzeImage?: { faceCount?: number } } } | null)?.data?.analyzeImage
        ?.faceCount;
      if (status !== 200 || typeof faces !== "number") {
        throw new Error(`analyzeImage on ${name} answered ${status}: ${JSON.stringify(json).slice(0, 400)}`);
      }
      result.images[name] = { origin: image.origin, bytes: image.bytes.byteLength, faces };
    }
    result.abuse = await measureAbuseCases(url, server.pid, {
      oneFace: options.images.oneFace.bytes,
      groupPhoto: options.images.groupPhoto.bytes,
    });
    for (const abuse of result.abuse)
      log(
        `api abuse: ${abuse.name}: ${abuse.status} ${abuse.code ?? ""} in ${abuse.ms} ms, RSS ${abuse.rssBeforeMb} -> ${abuse.rssAfterMb} MB`,
      );
    for (const [name, image] of Object.entries(options.images) as [ApiCase["image"], { bytes: Buffer }][]) {
      const body = requestBody(image.bytes);
      for (const connections of settings.apiConnections[name]) {
        const started = now();
        const run = await autocannon({
          url,
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          connections,
          amount: connections * settings.apiRequestsPerClient,
          timeout: 120,
        });
        // autocannon stops on its 1-second sampling tick, so its elapsed time overstates short cases: throughput is
        // taken from the closed loop instead (Little's law: clients / mean latency); the tick-based figure is kept too.
        const seconds = run.duration > 0 ? run.duration : msSince(started) / 1000;
        const completed = run["2xx"];
        const closedLoopRps =
          completed > 0 && run.latency.average > 0 ? (connections * 1000) / run.latency.average : 0;
        const faces = result.images[name]?.faces ?? 0;
        const apiCase: ApiCase = {
          image: name,
          connections,
          requestsPerSec: round(closedLoopRps, 2),
          facesPerSec: round(closedLoopRps * faces, 1),
          requestsPerSecTicks: round(completed / seconds, 2),
          latencyP50Ms: completed > 0 ? run.latency.p50 : null,
          latencyP99Ms: completed > 0 ? run.latency.p99 : null,
          latencyMeanMs: completed > 0 ? round(run.latency.average, 1) : null,
          requests: completed,
          errors: run.errors + run.timeouts,
          non2xx: run.non2xx,
          seconds: round(seconds, 1),
        };
        result.cases.push(apiCase);
        log(
          `api: ${name} x${connections}: ${apiCase.requestsPerSec} req/s, p50 ${apiCase.latencyP50Ms} ms, p99 ${apiCase.latencyP99Ms} ms`,
        );
      }
    }
    result.peakRssBytes = peakRss(server.pid);
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const stderr = api.stderr();
    throw new Error(`${message}${stderr ? `\n--- API stderr (tail) ---\n${stderr.slice(-1500)}` : ""}`);
  } finally {
    await api.stop();
  }
}
