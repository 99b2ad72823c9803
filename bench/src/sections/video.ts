/**
 * Section: video. A 720p pan (made here with ffmpeg from a group photo) decoded with @moodlens/video's sampleFrames at
 * 2 fps, each frame through analyzer.analyzeDecoded + the tracker, as the worker does; the same frames through
 * @vladmandic/human's frame-by-frame detect (the bench's human system, in its own process); then live-frame
 * latency: the analyzeFrame service's steps (analyzer.analyze of a JPEG + the stream registry's tracker update).
 */
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { createFaceAnalyzer, selectBackend, type DecodedImage } from "@moodlens/model";
import { createStreamRegistry, createTracker, locateFfmpeg, sampleFrames } from "@moodlens/video";
import { PAN_PHOTO, SAMPLE_PHOTOS_DIR } from "@moodlens/video/testing";
import { log, startSession } from "../core/child";
import { PROBE_TIMEOUT_MS, type Mode } from "../core/constants";
import { median, msSince, now, round } from "../core/stats";
import type { PassTiming, SystemReady, SystemProbeInput } from "../probes/system";
import type { Box } from "@moodlens/shared";
import { startApi } from "./api";

const WIDTH = 1280;
const HEIGHT = 720;
const CLIP_SECONDS = 20;
const SAMPLE_FPS = 2;

export interface VideoResult {
  clip: {
    file: string;
    width: number;
    height: number;
    seconds: number;
    fps: number;
    sampleFps: number;
    frames: number;
  };
  moodlens: {
    framesPerSec: number;
    framesPerCpuSec: number;
    realTimeFactor: number;
    wallMs: number;
    cpuMs: number;
    faces: number;
    tracks: number;
    how: string;
  };
  human:
    | {
        framesPerSec: number;
        framesPerCpuSec: number;
        realTimeFactor: number;
        wallMs: number;
        cpuMs: number;
        faces: number;
        how: string;
      }
    | { error: string };
  analyzeFrame: {
    path: string;
    streams: number;
    frames: number;
    latencyP50Ms: number;
    latencyP99Ms: number;
    framesPerSec: number;
  }[];
  notes: string[];
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const cpuMsSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};

/** A 20 s 1280x720 pan across two_people.jpg (scaled to 1600 px wide; the window slides 320 px). */
async function makeHdPan(dir: string): Promise<string> {
  const file = join(dir, "pan-720p.mp4");
  const args = [
    "-hide_banner",
    "-nostdin",
    "-v",
    "error",
    "-y",
    "-loop",
    "1",
    "-framerate",
    "25",
    "-t",
    String(CLIP_SECONDS),
    "-i",
    join(SAMPLE_PHOTOS_DIR, PAN_PHOTO),
    "-vf",
    `scale=1600:-2,setsar=1,crop=${WIDTH}:${HEIGHT}:x='320*t/${CLIP_SECONDS}':y=100,format=yuv420p`,
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-pix_fmt",
    "yuv420p",
    file,
  ];
  await new Promise<void>((resolve, reject) => {
    const ffmpeg = spawn(locateFfmpeg(), args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    ffmpeg.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    ffmpeg.on("error", reject);
    ffmpeg.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}: ${stderr.slice(-400)}`)),
    );
  });
  return file;
}

const FRAME_MUTATION =
  "mutation BenchFrame($input: AnalyzeFrameInput!) { analyzeFrame(input: $input) { faces { trackId } } }";

type Sender = (stream: number, index: number) => Promise<void>;

/** `streams` clients at once, each sending `perStream` frames one after the other (a client waits for its answer). */
async function latencyCase(
  path: string,
  streams: number,
  perStream: number,
  send: Sender,
): Promise<VideoResult["analyzeFrame"][number]> {
  const latencies: number[] = [];
  const started = now();
  await Promise.all(
    Array.from({ length: streams }, async (_, stream) => {
      for (let index = 0; index < perStream; index++) {
        const start = now();
        await send(stream, index);
        latencies.push(msSince(start));
      }
    }),
  );
  const seconds = msSince(started) / 1000;
  const result = {
    path,
    streams,
    frames: latencies.length,
    latencyP50Ms: round(percentile(latencies, 50), 1),
    latencyP99Ms: round(percentile(latencies, 99), 1),
    framesPerSec: round(latencies.length / seconds),
  };
  log(
    `video: analyzeFrame (${path.split(" ")[0]}) x${streams}: p50 ${result.latencyP50Ms} ms, p99 ${result.latencyP99Ms} ms`,
  );
  return result;
}

/** analyzeFrame through the real API's GraphQL endpoint (the API section's server, on its own fresh database). */
async function graphqlLatency(
  databaseUrl: string,
  modelDir: string,
  jpegs: Buffer[],
  perStream: number,
): Promise<VideoResult["analyzeFrame"]> {
  const api = await startApi({ databaseUrl, modelDir });
  const bodies = jpegs.map((jpeg) => jpeg.toString("base64"));
  try {
    const cases: VideoResult["analyzeFrame"] = [];
    for (const streams of [1, 4]) {
      const send: Sender = async (stream, index) => {
        const input = {
          streamId: `bench-${streams}-${stream}`,
          image: bodies[index % bodies.length],
          timestamp: index * (1000 / SAMPLE_FPS),
        };
        const response = await fetch(api.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: FRAME_MUTATION, variables: { input } }),
        });
        const json = (await response.json()) as { data?: { analyzeFrame?: unknown }; errors?: unknown };
        if (response.status !== 200 || !json.data?.analyzeFrame)
          throw new Error(`analyzeFrame answered ${response.status}: ${JSON.stringify(json).slice(0, 300)}`);
      };
      await send(99, 0); // cold first request (model load, first inference): not timed
      cases.push(
        await latencyCase(
          "graphql (POST /graphql analyzeFrame to apps/api/src/main.ts, one HTTP request per frame)",
          streams,
          perStream,
          send,
        ),
      );
    }
    return cases;
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${api.stderr().slice(-800)}`);
  } finally {
    await api.stop();
  }
}

export async function measureVideo(
  mode: Mode,
  options: { modelDir: string; modelLabel: string; scratchDir: string; databaseUrl?: string },
): Promise<VideoResult> {
  const dir = join(options.scratchDir, "video");
  const framesDir = join(dir, "frames");
  await mkdir(framesDir, { recursive: true });
  const clip = await makeHdPan(dir);
  const notes: string[] = [
    `model: ${options.modelLabel}`,
    "Moodlens runs in the bench process; human in its own child process (the bench's human system)",
  ];

  await selectBackend("wasm", { logger: () => {} });
  const analyzer = await createFaceAnalyzer({ modelDir: options.modelDir, backend: "wasm" });
  try {
    // Warm-up (model load, first inference) on the first frame, not timed; frames are saved as PNG for human.
    let frames = 0;
    for await (const frame of sampleFrames(clip, { sampleFps: SAMPLE_FPS, maxSide: WIDTH })) {
      const { rgb, width, height } = frame.image;
      const png = await sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), {
        raw: { width, height, channels: 3 },
      })
        .png({ compressionLevel: 1 })
        .toBuffer();
      await writeFile(join(framesDir, `frame-${String(frame.index).padStart(4, "0")}.png`), png);
      if (frames++ === 0) await analyzer.analyzeDecoded(frame.image as unknown as DecodedImage);
    }
    log(`video: ${frames} frames at ${SAMPLE_FPS} fps from a ${CLIP_SECONDS} s ${WIDTH}x${HEIGHT} clip`);

    // Timed: decode + analyse + track, as apps/worker/src/analyze-video.ts (minus the database checkpoints).
    const passes = mode === "quick" ? 1 : 3;
    const wall: number[] = [];
    const cpu: number[] = [];
    let faces = 0;
    let tracks = 0;
    for (let pass = 0; pass < passes; pass++) {
      const tracker = createTracker({ keepSeries: true });
      faces = 0;
      const started = now();
      const cpuStart = process.cpuUsage();
      for await (const frame of sampleFrames(clip, { sampleFps: SAMPLE_FPS, maxSide: WIDTH })) {
        const result = await analyzer.analyzeDecoded(frame.image as unknown as DecodedImage);
        faces += result.faces.length;
        tracker.update(frame.seconds, result.faces);
      }
      tracks = tracker.finish().length;
      wall.push(msSince(started));
      cpu.push(cpuMsSince(cpuStart));
      log(
        `video: moodlens pass ${pass + 1}: ${Math.round(wall.at(-1)!)} ms, ${faces} faces, ${tracks} tracks`,
      );
    }
    const wallMs = median(wall);
    const cpuMs = median(cpu);
    const moodlens = {
      framesPerSec: round(frames / (wallMs / 1000)),
      framesPerCpuSec: round(frames / (cpuMs / 1000)),
      realTimeFactor: round(CLIP_SECONDS / (wallMs / 1000)),
      wallMs: round(wallMs, 0),
      cpuMs: round(cpuMs, 0),
      faces,
      tracks,
      how: `sampleFrames (ffmpeg decode, rgb24 pipe) + analyzer.analyzeDecoded + tracker.update per frame; median of ${passes} pass(es); CPU = bench process (ffmpeg's own CPU not counted)`,
    };

    // The same frames through human's detect (PNG decode by sharp + detect + emotion per frame).
    let human: VideoResult["human"];
    try {
      const session = await startSession<SystemReady>(
        "system",
        {
          system: "human",
          photosDir: framesDir,
          servingModelDir: options.modelDir,
          servingModelTrained: false,
          architectureModels: [],
          scratchDir: options.scratchDir,
          cropSetBase: "",
        } satisfies SystemProbeInput,
        { timeoutMs: PROBE_TIMEOUT_MS.system },
      );
      try {
        await session.call<number>("cold");
        const boxes = await session.call<Record<string, Box[]>>("warmup");
        const humanFaces = Object.values(boxes).reduce((sum, list) => sum + list.length, 0);
        const timings: PassTiming[] = [];
        for (let pass = 0; pass < passes; pass++) timings.push(await session.call<PassTiming>("pass"));
        const humanWall = median(timings.map((t) => t.ms));
        const humanCpu = median(timings.map((t) => t.cpuMs));
        human = {
          framesPerSec: round(frames / (humanWall / 1000)),
          framesPerCpuSec: round(frames / (humanCpu / 1000)),
          realTimeFactor: round(CLIP_SECONDS / (humanWall / 1000)),
          wallMs: round(humanWall, 0),
          cpuMs: round(humanCpu, 0),
          faces: humanFaces,
          how: `@vladmandic/human detect (BlazeFace + emotion) on each sampled frame, given as PNG (decoded by sharp inside the timing; the video decode is not included); median of ${passes} pass(es)`,
        };
        log(`video: human ${Math.round(humanWall)} ms for ${frames} frames`);
      } finally {
        await session.close();
      }
    } catch (error) {
      human = { error: error instanceof Error ? error.message.split("\n")[0]! : String(error) };
    }

    // analyzeFrame latency: JPEG frames (as a webcam client sends them) through analyze + the stream registry.
    const jpegs: Buffer[] = [];
    for await (const frame of sampleFrames(clip, { sampleFps: SAMPLE_FPS, maxSide: 640 })) {
      const { rgb, width, height } = frame.image;
      jpegs.push(
        await sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), {
          raw: { width, height, channels: 3 },
        })
          .jpeg({ quality: 85 })
          .toBuffer(),
      );
    }
    const perStream = mode === "quick" ? 10 : 30;
    const analyzeFrame: VideoResult["analyzeFrame"] = [];
    for (const streams of [1, 4]) {
      const registry = createStreamRegistry();
      analyzeFrame.push(
        await latencyCase(
          "in-process (the service's steps without HTTP: analyzer.analyze of the JPEG + createStreamRegistry().update)",
          streams,
          perStream,
          async (stream, index) => {
            const result = await analyzer.analyze(jpegs[index % jpegs.length]!);
            registry.update("bench", `stream-${stream}`, index * (1000 / SAMPLE_FPS), result.faces);
          },
        ),
      );
    }
    if (options.databaseUrl) {
      // The bench's analyzer sits idle meanwhile: the API process has the two cores (less the training job) to itself.
      try {
        analyzeFrame.push(...(await graphqlLatency(options.databaseUrl, options.modelDir, jpegs, perStream)));
      } catch (error) {
        notes.push(
          `analyzeFrame through GraphQL not measured: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
        );
      }
    } else {
      notes.push("analyzeFrame through GraphQL not measured: no database URL given");
    }
    return {
      clip: {
        file: "pan across two_people.jpg, libx264 ultrafast",
        width: WIDTH,
        height: HEIGHT,
        seconds: CLIP_SECONDS,
        fps: 25,
        sampleFps: SAMPLE_FPS,
        frames,
      },
      moodlens,
      human,
      analyzeFrame,
      notes,
    };
  } finally {
    await analyzer.dispose();
  }
}
