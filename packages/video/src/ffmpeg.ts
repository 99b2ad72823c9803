import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { createRequire } from "node:module";
import { AppError } from "@moodlens/shared";

/**
 * The ffmpeg binary: `path` when given (an app's MOODLENS_FFMPEG setting, e.g. a system ffmpeg), otherwise the
 * static build that @ffmpeg-installer/ffmpeg ships inside node_modules (nothing is downloaded at run time).
 */
export function locateFfmpeg(path?: string): string {
  let binary = path;
  if (!binary) {
    try {
      // The installer is CommonJS without types: it resolves its platform package and exposes the binary's path.
      binary = (createRequire(import.meta.url)("@ffmpeg-installer/ffmpeg") as { path: string }).path;
    } catch (cause) {
      throw new AppError("CONFIG_INVALID", "no ffmpeg binary for this platform in @ffmpeg-installer/ffmpeg", {
        cause,
        hint: "install ffmpeg and set MOODLENS_FFMPEG to its path",
      });
    }
  }
  try {
    accessSync(binary, constants.X_OK);
  } catch (cause) {
    throw new AppError("CONFIG_INVALID", `ffmpeg at "${binary}" is missing or not executable`, {
      cause,
      hint: "check MOODLENS_FFMPEG",
    });
  }
  return binary;
}

export interface FfmpegRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  /** The last 64 KB of stderr (ffmpeg's log). */
  stderr: string;
}

const STDERR_KEEP = 64 * 1024;

/** Keeps the tail of a child's stderr: ffmpeg's log can be long, the useful part is at the end. */
export function stderrTail(): { push(chunk: Buffer): void; text(): string } {
  let text = "";
  return {
    push(chunk) {
      text += chunk.toString("utf8");
      if (text.length > STDERR_KEEP * 2) text = text.slice(-STDERR_KEEP);
    },
    text: () => text.slice(-STDERR_KEEP),
  };
}

/** Runs ffmpeg to completion and collects its output (for short runs: probing, making test clips). */
export function runFfmpeg(ffmpeg: string, args: readonly string[], signal?: AbortSignal): Promise<FfmpegRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, args, { stdio: ["ignore", "pipe", "pipe"], ...(signal ? { signal } : {}) });
    const stdout: Buffer[] = [];
    const stderr = stderrTail();
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code, exitSignal) =>
      resolve({ code, signal: exitSignal, stdout: Buffer.concat(stdout), stderr: stderr.text() }),
    );
  });
}
