/**
 * What hostile or careless requests cost the API now that they are bounded (issue 16): each case is sent once to
 * the running server, timed, with the server's resident memory before and after and, for the CPU-heavy ones, how
 * long /healthz took meanwhile (the event loop's responsiveness).
 */
import { readFileSync } from "node:fs";
import { crc32, deflateSync } from "node:zlib";
import sharp from "sharp";
import { msSince, now, round } from "../core/stats";

export interface AbuseCase {
  name: string;
  /** What the same request cost before the limits (issue 16), for comparison. */
  before: string;
  status: number;
  code: string | null;
  ms: number;
  responseBytes: number;
  rssBeforeMb: number | null;
  rssAfterMb: number | null;
  /** Slowest /healthz answer while the request ran (ms), for the CPU-heavy cases. */
  healthzMaxMs?: number;
}

const rssMb = (pid: number | undefined): number | null => {
  if (!pid) return null;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? round(Number(match[1]) / 1024, 0) : null;
  } catch {
    return null;
  }
};

/** A grey PNG of any shape built by hand (sharp refuses sides over 16,383 px): ~25 KB for 25,000,000x1. */
function greyPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8);
  const rows = Buffer.alloc((width + 1) * height, 0);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** The group photo tiled 4x4: a crowd of ~100 faces for explain. */
async function crowd(photo: Buffer): Promise<Buffer> {
  const { width = 0, height = 0 } = await sharp(photo).metadata();
  const tiles = [];
  for (let row = 0; row < 4; row++)
    for (let column = 0; column < 4; column++)
      tiles.push({ input: photo, left: column * width, top: row * height });
  return sharp({
    create: { width: width * 4, height: height * 4, channels: 3, background: { r: 128, g: 128, b: 128 } },
  })
    .composite(tiles)
    .jpeg({ quality: 90 })
    .toBuffer();
}

const aliased = (count: number, field: string) =>
  Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(" ");

export async function measureAbuseCases(
  graphqlUrl: string,
  pid: number | undefined,
  images: { oneFace: Buffer; groupPhoto: Buffer },
): Promise<AbuseCase[]> {
  const base = graphqlUrl.replace(/\/graphql$/, "");
  const oneFace = images.oneFace.toString("base64");
  const hourlyMonth = `emotionStats(filter: { from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" }, bucket: HOUR) { buckets { start faces } }`;
  const cases: { name: string; before: string; body: () => Promise<unknown>; watchHealth?: boolean }[] = [
    {
      name: "1000 aliased analyzeImage",
      before: "ran 1000 analyses (20 s), counted once by the rate limit",
      body: async () => ({
        query: `mutation($i: AnalyzeImageInput!) { ${aliased(1000, "analyzeImage(input: $i) { id }")} }`,
        variables: { i: { image: oneFace, store: false } },
      }),
    },
    {
      name: "analyzeImages with 17 inputs + 1 alias",
      before: "aliases slipped past the 16-image batch limit",
      body: async () => ({
        query:
          "mutation($i: AnalyzeImageInput!, $b: [AnalyzeImageInput!]!) { one: analyzeImage(input: $i) { id } many: analyzeImages(inputs: $b) { results { __typename } } }",
        variables: {
          i: { image: oneFace, store: false },
          b: Array.from({ length: 16 }, () => ({ image: oneFace, store: false })),
        },
      }),
    },
    {
      name: "25,000,000x1 PNG",
      before: "55 s of detection, +850 MB RSS per request, kept",
      body: async () => ({
        query: "mutation($i: AnalyzeImageInput!) { analyzeImage(input: $i) { id } }",
        variables: { i: { image: greyPng(25_000_000, 1).toString("base64"), store: false } },
      }),
      watchHealth: true,
    },
    {
      name: "explain: true on a ~100-face photo",
      before: "/healthz 8.5-13 s, RSS 1.6 -> 4.7 GB",
      body: async () => ({
        query:
          "mutation($i: AnalyzeImageInput!) { analyzeImage(input: $i) { faceCount skippedOverFaceLimit faces { saliency } } }",
        variables: {
          i: { image: (await crowd(images.groupPhoto)).toString("base64"), store: false, explain: true },
        },
      }),
      watchHealth: true,
    },
    {
      name: "14 aliases of hourly emotionStats (a month each)",
      before: "700 aliases: 158 MB in 27 s under the cost limit",
      body: async () => ({ query: `{ ${aliased(14, hourlyMonth)} }` }),
    },
    {
      name: "1000 aliased __schema without a key",
      before: "22.7 MB answered, no key, no rate limit",
      body: async () => ({ query: `{ ${aliased(1000, "__schema { types { name fields { name } } }")} }` }),
    },
    {
      name: "fragment cycle",
      before: "stack overflow in graphql-depth-limit, HTTP 500",
      body: async () => ({
        query: "query { ...A } fragment A on Query { health { status } ...B } fragment B on Query { ...A }",
      }),
    },
    {
      name: "1 MB source",
      before: "rejected after the model ran, echoed back",
      body: async () => ({
        query: "mutation($i: AnalyzeImageInput!) { analyzeImage(input: $i) { id } }",
        variables: { i: { image: oneFace, source: "s".repeat(1_000_000) } },
      }),
    },
  ];
  const results: AbuseCase[] = [];
  for (const abuse of cases) {
    const body = JSON.stringify(await abuse.body());
    const rssBeforeMb = rssMb(pid);
    let healthzMaxMs = 0;
    let running = true;
    const watcher = (async () => {
      while (running && abuse.watchHealth) {
        const started = now();
        await fetch(`${base}/healthz`).catch(() => undefined);
        healthzMaxMs = Math.max(healthzMaxMs, msSince(started));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const started = now();
    const response = await fetch(graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    const text = await response.text();
    const ms = msSince(started);
    running = false;
    await watcher;
    let code: string | null = null;
    try {
      code =
        (JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions
          ?.code ?? null;
    } catch {
      code = null;
    }
    results.push({
      name: abuse.name,
      before: abuse.before,
      status: response.status,
      code,
      ms: round(ms, 1),
      responseBytes: text.length,
      rssBeforeMb,
      rssAfterMb: rssMb(pid),
      ...(abuse.watchHealth ? { healthzMaxMs: round(healthzMaxMs, 1) } : {}),
    });
  }
  return results;
}
