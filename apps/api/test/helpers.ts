/**
 * Test helpers: a random-initialised model (never assert emotions from it), an API on an ephemeral port against
 * a test database, GraphQL over real HTTP (fetch), API keys, and small image fixtures.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createApiKey, type Db } from "@moodlens/db";
import { buildNetwork, saveModelArtifacts, selectBackend } from "@moodlens/model";
import type { ApiScope } from "@moodlens/shared";
import sharp from "sharp";
import { defaultConfig, type ApiConfig } from "../src/config";
import { consoleLogger, silentLogger } from "../src/runtime";
import { startApiServer, type ApiServerOptions, type StartedApiServer } from "../src/server";

/** The read-only data folder beside the checkout (CI lays a copy beside its clone, wherever that is). */
export const GROUP_PHOTOS = resolve(
  import.meta.dirname,
  "..",
  "..",
  "..",
  "..",
  "shared",
  "samples",
  "group-photos",
);
/** 500x375, three hand-boxed faces of ~100 px (testing.xml): small enough to analyse quickly. */
export const GROUP_PHOTO = "2008_002506.jpg";
export const GROUP_PHOTO_BOXES = [
  { x: 329, y: 78, width: 109, height: 109 },
  { x: 224, y: 95, width: 91, height: 91 },
  { x: 125, y: 65, width: 90, height: 91 },
];

export const groupPhoto = (): Buffer => readFileSync(join(GROUP_PHOTOS, GROUP_PHOTO));
export const toBase64 = (bytes: Buffer): string => bytes.toString("base64");

/** A small image without any face: a smooth gradient. */
export async function faceFreeImage(): Promise<Buffer> {
  const width = 96;
  const height = 64;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      pixels.fill(Math.round((x / width) * 255), (y * width + x) * 3, (y * width + x) * 3 + 3);
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** A valid PNG with more pixels than `limit` (cheap: a solid colour compresses to almost nothing). */
export function largeImage(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 180, b: 160 } } })
    .png()
    .toBuffer();
}

const modelDirs = new Map<string, Promise<string>>();

/** A saved, random-initialised compact model (its predictions are meaningless; shapes and plumbing are real). */
export function randomModelDir(name = "random"): Promise<string> {
  let dir = modelDirs.get(name);
  if (!dir) {
    dir = (async () => {
      await selectBackend();
      const target = mkdtempSync(join(tmpdir(), `moodlens-api-model-${name}-`));
      const model = buildNetwork({ architecture: "compact" });
      await saveModelArtifacts(model, target, {
        architecture: "compact",
        hyperparameters: { note: "random weights for API tests" },
        runId: `test-${name}`,
        datasetFingerprint: "none",
        metrics: {},
      });
      model.dispose();
      return target;
    })();
    modelDirs.set(name, dir);
  }
  return dir;
}

export type TestConfig = Omit<Partial<ApiConfig>, "limits"> & { limits?: Partial<ApiConfig["limits"]> };

/** The API on 127.0.0.1:<ephemeral> against `db` (not closed by the server), model polling off unless asked. */
export async function startTestApi(
  db: Db,
  config: TestConfig = {},
  options: ApiServerOptions = {},
): Promise<StartedApiServer> {
  return startApiServer(
    defaultConfig({ port: 0, host: "127.0.0.1", modelPollMs: 0, minGroupSize: 1, ...config }),
    { db, migrate: false, logger: process.env.MOODLENS_TEST_LOG ? consoleLogger : silentLogger, ...options },
  );
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> & { code?: string } }[];
}

/** POST a GraphQL operation over HTTP, like any client. */
export async function gql<T = Record<string, unknown>>(
  server: { graphqlUrl: string },
  query: string,
  variables: Record<string, unknown> = {},
  key?: string,
): Promise<GraphQLResponse<T>> {
  const response = await fetch(server.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<T>, "status" | "headers">;
  return { status: response.status, headers: response.headers, ...body };
}

export async function createKey(
  db: Db,
  scopes: ApiScope[],
  options: { name?: string; rateLimitPerMinute?: number; expiresAt?: Date } = {},
) {
  const created = await createApiKey(db.prisma, {
    name: options.name ?? `test ${scopes.join(",")}`,
    scopes,
    rateLimitPerMinute: options.rateLimitPerMinute ?? null,
    expiresAt: options.expiresAt ?? null,
  });
  return created;
}

export const firstErrorCode = (response: {
  errors?: { extensions?: { code?: string } }[];
}): string | undefined => response.errors?.[0]?.extensions?.code;

/** Intersection over union of two boxes. */
export function iou(
  a: { x: number; y: number; width: number; height: number },
  b: { x: number; y: number; width: number; height: number },
): number {
  const x1 = Math.max(a.x, b.x);
  const y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.width, b.x + b.width);
  const y2 = Math.min(a.y + a.height, b.y + b.height);
  const intersection = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  return intersection / (a.width * a.height + b.width * b.height - intersection);
}
