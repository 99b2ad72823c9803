/**
 * Video jobs through the running product (`npm start` runs one worker): upload with POST /v1/videos, poll the job
 * over GraphQL until the worker is done, and find its track-seconds in emotionStats as kind VIDEO. The clip is made
 * here with the system ffmpeg from a group photo (a slow zoom, so the faces move), like a client's recording.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test, expect } from "../support/fixtures";
import { postGraphQL } from "../support/graphql";
import { GROUP_PHOTO } from "../support/paths";

/** Long before the demo seed, so the dashboard's screenshots never show these track-seconds. */
const CAPTURED_AT = "2025-01-16T09:00:00.000Z";
const SOURCE = "e2e-video";
const JOB = /* GraphQL */ `
  query ($id: ID!) {
    videoJob(id: $id) {
      id
      status
      framesDone
      framesTotal
      progress
      attempts
      error {
        code
        message
      }
      video {
        width
        height
        durationSeconds
        codec
      }
      tracks {
        index
        firstSeconds
        lastSeconds
        frames
        dominantEmotion
        meanValence
        series {
          seconds
        }
      }
      timeline {
        second
        faces
        meanValence
        emotions {
          emotion
          probability
        }
      }
    }
  }
`;

interface JobView {
  id: string;
  status: string;
  framesDone: number;
  framesTotal: number | null;
  progress: number;
  error: { code: string; message: string } | null;
  video: { width: number; height: number; durationSeconds: number; codec: string } | null;
  tracks: { index: number; frames: number; series: { seconds: number }[] }[];
  timeline: { second: number; faces: number }[];
}

function makeClip(): Buffer {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "e2e-video-")), "group.mp4");
  const run = spawnSync("ffmpeg", [
    "-hide_banner",
    "-v",
    "error",
    "-y",
    "-loop",
    "1",
    "-framerate",
    "10",
    "-t",
    "3",
    "-i",
    GROUP_PHOTO,
    "-vf",
    "scale=640:-2,zoompan=z='1+0.002*on':d=1:s=640x480:fps=10,format=yuv420p",
    "-c:v",
    "libx264",
    "-movflags",
    "+faststart",
    file,
  ]);
  if (run.status !== 0) throw new Error(`ffmpeg failed: ${run.stderr.toString()}`);
  return readFileSync(file);
}

test.describe("video jobs over HTTP (issue 18)", () => {
  test("upload -> 202 QUEUED -> the platform's worker -> DONE with tracks, timeline and VIDEO statistics", async ({
    request,
    stack,
  }) => {
    const upload = await request.post(
      `${stack.apiUrl}/v1/videos?source=${SOURCE}&campaign=e2e&sampleFps=2&capturedAt=${CAPTURED_AT}`,
      {
        headers: { authorization: `Bearer ${stack.keys.client}`, "content-type": "video/mp4" },
        data: makeClip(),
      },
    );
    expect(upload.status()).toBe(202);
    const { job } = (await upload.json()) as { job: { id: string; status: string } };
    expect(job.status).toBe("QUEUED");

    let current: JobView | undefined;
    await expect
      .poll(
        async () => {
          const { body } = await postGraphQL<{ videoJob: JobView }>(request, stack.graphqlUrl, JOB, {
            key: stack.keys.client,
            variables: { id: job.id },
          });
          current = body.data?.videoJob;
          return current?.status;
        },
        { timeout: 180_000, intervals: [1_000] },
      )
      .toMatch(/DONE|FAILED|CANCELLED/);
    expect(current!.status, JSON.stringify(current!.error)).toBe("DONE");
    expect(current!.framesDone).toBe(current!.framesTotal);
    expect(current!.progress).toBe(1);
    expect(current!.video).toMatchObject({ width: 640, height: 480, codec: "h264" });
    expect(current!.tracks.length).toBeGreaterThan(0);
    for (const track of current!.tracks) expect(track.series).toHaveLength(track.frames);
    expect(current!.timeline).toHaveLength(3);

    // The counting rule: one face per track-second, as kind VIDEO, and none as PHOTO from this source.
    const trackSeconds = current!.timeline.reduce((sum, second) => sum + second.faces, 0);
    const stats = (kinds: string[]) =>
      postGraphQL<{ emotionStats: { totalFaces: number } }>(
        request,
        stack.graphqlUrl,
        `query($filter: AnalysisFilter) { emotionStats(filter: $filter, bucket: DAY) { totalFaces } }`,
        {
          key: stack.keys.client,
          variables: {
            filter: { from: "2025-01-16T00:00:00Z", to: "2025-01-17T00:00:00Z", sources: [SOURCE], kinds },
          },
        },
      );
    expect((await stats(["VIDEO"])).body.data!.emotionStats.totalFaces).toBe(trackSeconds);
    expect((await stats(["PHOTO"])).body.data!.emotionStats.totalFaces).toBe(0);
  });

  test("a file that is not a video: 202, then FAILED with BAD_USER_INPUT and nothing counted", async ({
    request,
    stack,
  }) => {
    const upload = await request.post(
      `${stack.apiUrl}/v1/videos?source=${SOURCE}-bad&capturedAt=${CAPTURED_AT}`,
      {
        headers: { authorization: `Bearer ${stack.keys.client}`, "content-type": "video/mp4" },
        data: Buffer.from("definitely not an mp4 ".repeat(200)),
      },
    );
    expect(upload.status()).toBe(202);
    const { job } = (await upload.json()) as { job: { id: string } };
    let current: JobView | undefined;
    await expect
      .poll(
        async () => {
          const { body } = await postGraphQL<{ videoJob: JobView }>(request, stack.graphqlUrl, JOB, {
            key: stack.keys.client,
            variables: { id: job.id },
          });
          current = body.data?.videoJob;
          return current?.status;
        },
        { timeout: 120_000, intervals: [1_000] },
      )
      .toBe("FAILED");
    expect(current!.error?.code).toBe("BAD_USER_INPUT");
    expect(current!.tracks).toEqual([]);
  });

  test("the upload limit and the scope are enforced before the body is stored", async ({
    request,
    stack,
  }) => {
    const forbidden = await request.post(`${stack.apiUrl}/v1/videos`, {
      headers: { authorization: `Bearer ${stack.keys.statsOnly}`, "content-type": "video/mp4" },
      data: Buffer.alloc(1024),
    });
    expect(forbidden.status()).toBe(403);
    expect(((await forbidden.json()) as { error: { code: string } }).error.code).toBe("FORBIDDEN");
    const wrongType = await request.post(`${stack.apiUrl}/v1/videos`, {
      headers: { authorization: `Bearer ${stack.keys.client}`, "content-type": "text/plain" },
      data: "hello",
    });
    expect(wrongType.status()).toBe(400);
  });
});
