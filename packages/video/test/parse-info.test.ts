import { describe, expect, it } from "vitest";
import { parseFfmpegInfo } from "../src/probe";

/** `ffmpeg -i` logs as phones and cameras produce them (trimmed to the lines the parser reads). */
const iphone = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'IMG_0001.MOV':
  Metadata:
    major_brand     : qt
  Duration: 00:00:12.35, start: 0.000000, bitrate: 8000 kb/s
    Stream #0:0(und): Video: hevc (Main) (hvc1 / 0x31637668), yuv420p(tv, bt709), 1920x1080, 7900 kb/s, 29.97 fps, 29.97 tbr, 600 tbn, 600 tbc (default)
    Metadata:
      rotate          : 90
    Side data:
      displaymatrix: rotation of -90.00 degrees
    Stream #0:1(und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, mono, fltp, 96 kb/s (default)`;

const withCover = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'talk.mp4':
  Metadata:
    major_brand     : isom
  Duration: 01:02:03.50, start: 0.000000, bitrate: 900 kb/s
    Stream #0:0: Video: mjpeg (Baseline), yuvj420p(pc), 600x600 [SAR 1:1 DAR 1:1], 90k tbr, 90k tbn, 90k tbc (attached pic)
    Stream #0:1(und): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 1280x720 [SAR 1:1 DAR 16:9], 800 kb/s, 25 fps, 25 tbr, 12800 tbn, 50 tbc (default)`;

describe("parseFfmpegInfo", () => {
  it("reads a phone video: codec, container, fps, duration, and rotation turning 1920x1080 upright", () => {
    const parsed = parseFfmpegInfo(iphone);
    expect(parsed).toEqual({
      ok: true,
      container: "mov,mp4,m4a,3gp,3g2,mj2",
      durationKnown: true,
      info: {
        width: 1080,
        height: 1920,
        durationSeconds: 12.35,
        fps: 29.97,
        codec: "hevc",
        format: "mov",
        rotation: 90,
      },
    });
  });

  it("skips cover art and takes the real video stream; hours count in the duration", () => {
    const parsed = parseFfmpegInfo(withCover);
    expect(parsed.ok && parsed.info).toMatchObject({
      width: 1280,
      height: 720,
      codec: "h264",
      format: "mp4",
      fps: 25,
      durationSeconds: 3723.5,
    });
  });

  it("tells a file without video, an unreadable one and a cut mp4 apart", () => {
    expect(
      parseFfmpegInfo(
        `Input #0, mp3, from 'a.mp3':\n  Duration: 00:03:00.00\n    Stream #0:0: Audio: mp3, 44100 Hz`,
      ),
    ).toEqual({ ok: false, error: "no-video-stream" });
    expect(parseFfmpegInfo("x.bin: Invalid data found when processing input")).toEqual({
      ok: false,
      error: "invalid",
    });
    expect(
      parseFfmpegInfo(
        "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x1] moov atom not found\nx.mp4: Invalid data found when processing input",
      ),
    ).toEqual({ ok: false, error: "truncated" });
  });
});
