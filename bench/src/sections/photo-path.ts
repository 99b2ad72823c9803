import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { log } from "../core/child";
import { BENCH_DIR } from "../core/paths";
import type { PhotoPathResult } from "../photo-path/section";

/** The photo-path check gets this long before it is abandoned (full mode: ~3 min of CPU on an idle 2-core machine). */
const PHOTO_PATH_TIMEOUT_MS = 30 * 60_000;

/**
 * The photo-path check (src/photo-path) in its own process, as `npm run photo-path` runs it: FER-2013 PublicTest
 * faces laid into synthetic photos, through createFaceAnalyzer's analyze, against classifying the original crops.
 */
export async function measurePhotoPathSection(
  mode: "quick" | "full",
  modelDir: string,
  scratchDir: string,
): Promise<PhotoPathResult> {
  const out = join(scratchDir, "photo-path.json");
  const args = [
    "--import",
    "tsx",
    join(BENCH_DIR, "src", "photo-path", "main.ts"),
    "--model",
    modelDir,
    "--out",
    out,
  ];
  if (mode === "quick") args.push("--quick");
  log(`photo path: ${mode} check with ${modelDir}`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: BENCH_DIR, stdio: ["ignore", "ignore", "pipe"] });
    const timer = setTimeout(() => child.kill("SIGTERM"), PHOTO_PATH_TIMEOUT_MS);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
      for (const line of chunk.toString().split("\n").filter(Boolean)) log(line);
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `photo-path check exited with ${code ?? signal}: ${stderr.trim().split("\n").at(-1) ?? ""}`,
          ),
        );
    });
  });
  return JSON.parse(await readFile(out, "utf8")) as PhotoPathResult;
}
