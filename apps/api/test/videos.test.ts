/**
 * POST /v1/videos and the video job GraphQL fields, on PostgreSQL and on the embedded PGlite served like `npm start`
 * serves it (pg-boss needs a URL). The API only stores and queues: here no worker runs, so jobs stay QUEUED until
 * cancelled; the worker's side is tested in apps/worker and end to end in tests/e2e/api/videos.spec.ts.
 */
import { request } from "node:http";
import { readFile } from "node:fs/promises";
import { openQueueTestDatabase, type QueueTestDatabase } from "@moodlens/jobs/testing";
import { makePanClip } from "@moodlens/video/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedApiServer } from "../src/server";
import { createKey, gql, randomModelDir, startTestApi } from "./helpers";

const JOB = /* GraphQL */ `
  query ($id: ID!) {
    videoJob(id: $id) {
      id
      status
      source
      campaign
      capturedAt
      sampleFps
      clientRequestId
      fileName
      framesDone
      framesTotal
      progress
      attempts
      error {
        code
        message
      }
      modelVersion
      deduplicated
      videoStored
      tracks {
        index
      }
      timeline {
        second
      }
    }
  }
`;
const CANCEL = /* GraphQL */ `
  mutation ($id: ID!) {
    cancelVideoJob(id: $id) {
      id
      status
    }
  }
`;
const LIST = /* GraphQL */ `
  query ($status: VideoJobStatus) {
    videoJobs(first: 10, status: $status) {
      totalCount
      nodes {
        id
        status
      }
      pageInfo {
        hasNextPage
      }
    }
  }
`;

/** Sends headers that announce `declared` bytes and then only a few: the route must refuse before reading more. */
function postDeclaring(
  url: string,
  declared: number,
  key: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/v1/videos`,
      {
        method: "POST",
        headers: {
          "content-type": "video/mp4",
          "content-length": String(declared),
          authorization: `Bearer ${key}`,
        },
      },
      (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.write(Buffer.alloc(1024));
  });
}

const KINDS = (process.env.MOODLENS_TEST_DATABASES ?? "postgres,pglite").split(",") as (
  | "postgres"
  | "pglite"
)[];
for (const kind of KINDS) {
  describe(`POST /v1/videos and video jobs on ${kind}`, () => {
    let database: QueueTestDatabase;
    let api: StartedApiServer;
    let analyzeKey: string;
    let readKey: string;
    let clip: Buffer;

    beforeAll(async () => {
      database = await openQueueTestDatabase(kind);
      api = await startTestApi(database.db, { modelDir: await randomModelDir(), databaseUrl: database.url });
      analyzeKey = (await createKey(database.db, ["analyze", "read:stats"])).key;
      readKey = (await createKey(database.db, ["read:stats"])).key;
      clip = await readFile(await makePanClip({ seconds: 2 }));
    }, 300_000);
    afterAll(async () => {
      await api?.close();
      await database?.drop();
    }, 120_000);

    const upload = (query: string, body: Uint8Array, headers: Record<string, string> = {}) =>
      fetch(`${api.url}/v1/videos${query}`, {
        method: "POST",
        headers: { "content-type": "video/mp4", authorization: `Bearer ${analyzeKey}`, ...headers },
        body,
      });

    it("answers 202 with the queued job at once; the same clientRequestId gives the same job; GraphQL reads and cancels it", async () => {
      const response = await upload(
        "?source=door&campaign=spring&sampleFps=4&clientRequestId=clip-1&capturedAt=2026-11-02T10:00:00Z&fileName=pan.mp4",
        new Uint8Array(clip),
      );
      expect(response.status).toBe(202);
      const { job } = (await response.json()) as { job: Record<string, unknown> & { id: string } };
      expect(job).toMatchObject({
        status: "QUEUED",
        source: "door",
        campaign: "spring",
        sampleFps: 4,
        clientRequestId: "clip-1",
        fileName: "pan.mp4",
        framesDone: 0,
        progress: 0,
        deduplicated: false,
        videoStored: false,
        tracks: [],
        timeline: [],
      });
      expect(new Date(job.capturedAt as string).toISOString()).toBe("2026-11-02T10:00:00.000Z");

      const replay = await upload("?clientRequestId=clip-1", new Uint8Array(clip));
      expect(replay.status).toBe(202);
      expect(((await replay.json()) as { job: unknown }).job).toMatchObject({
        id: job.id,
        deduplicated: true,
      });

      const read = await gql<{ videoJob: Record<string, unknown> }>(api, JOB, { id: job.id }, readKey);
      expect(read.errors).toBeUndefined();
      expect(read.data!.videoJob).toMatchObject({ id: job.id, status: "QUEUED", attempts: 0, error: null });
      const listed = await gql<{ videoJobs: { totalCount: number; nodes: { id: string }[] } }>(
        api,
        LIST,
        { status: "QUEUED" },
        readKey,
      );
      expect(listed.data!.videoJobs.nodes.map((node) => node.id)).toContain(job.id);

      // Reading needs read:stats; cancelling needs analyze.
      const refused = await gql(api, CANCEL, { id: job.id }, readKey);
      expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      const cancelled = await gql<{ cancelVideoJob: { status: string } }>(
        api,
        CANCEL,
        { id: job.id },
        analyzeKey,
      );
      expect(cancelled.data!.cancelVideoJob.status).toBe("CANCELLED");
      const after = await gql<{ videoJob: { status: string } }>(api, JOB, { id: job.id }, readKey);
      expect(after.data!.videoJob.status).toBe("CANCELLED");
      expect(await database.db.prisma.videoUploadChunk.count({ where: { jobId: job.id } })).toBe(0);
    });

    it("refuses bad requests in the REST error shape and stores nothing", async () => {
      const before = await database.db.prisma.videoJob.count();
      const noKey = await fetch(`${api.url}/v1/videos`, {
        method: "POST",
        headers: { "content-type": "video/mp4" },
        body: new Uint8Array(clip),
      });
      expect(noKey.status).toBe(401);
      expect(((await noKey.json()) as { error: { code: string } }).error.code).toBe("UNAUTHENTICATED");

      const readOnly = await upload("", new Uint8Array(clip), { authorization: `Bearer ${readKey}` });
      expect(readOnly.status).toBe(403);

      const wrongType = await upload("", new Uint8Array(clip), { "content-type": "application/json" });
      expect(wrongType.status).toBe(400);
      expect(((await wrongType.json()) as { error: { code: string; message: string } }).error).toMatchObject({
        code: "BAD_USER_INPUT",
      });

      const badFps = await upload("?sampleFps=0", new Uint8Array(clip));
      expect(badFps.status).toBe(400);
      const badDate = await upload("?capturedAt=yesterday", new Uint8Array(clip));
      expect(badDate.status).toBe(400);
      const empty = await upload("", new Uint8Array(0));
      expect(empty.status).toBe(400);

      const tooLarge = await postDeclaring(api.url, 600 * 1024 * 1024, analyzeKey);
      expect(tooLarge.status).toBe(413);
      expect(JSON.parse(tooLarge.body)).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });

      expect(await database.db.prisma.videoJob.count()).toBe(before);
    });

    it("an unknown job is null; cancelling it is refused (NOT_FOUND reaches clients as BAD_USER_INPUT)", async () => {
      const missing = await gql<{ videoJob: unknown }>(
        api,
        JOB,
        { id: "00000000-0000-4000-8000-000000000000" },
        readKey,
      );
      expect(missing.data!.videoJob).toBeNull();
      const cancel = await gql(api, CANCEL, { id: "00000000-0000-4000-8000-000000000000" }, analyzeKey);
      expect(cancel.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      expect(cancel.errors?.[0]?.message).toMatch(/no video job/);
    });
  });
}
