import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const FER = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "..",
  "shared",
  "datasets",
  "fer2013",
);
export const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "cli.ts");
const FER_FOLDERS = ["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"];

export function tempDirectory(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `moodlens-trainer-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

const fileDigest = (path: string) => createHash("sha1").update(readFileSync(path)).digest("hex");

/** Digests of every file under a folder tree (one level of class folders). */
export function fileDigestsOf(tree: string): Set<string> {
  const digests = new Set<string>();
  for (const folder of readdirSync(tree))
    for (const file of readdirSync(join(tree, folder))) digests.add(fileDigest(join(tree, folder, file)));
  return digests;
}

/**
 * Copies the first `perClass` images of each class of a FER-2013 split into `target/<folder>/`, optionally
 * renaming class folders (to exercise the alias table) and skipping some images (to keep train and test apart).
 * `excludeCopiesOf` skips files identical to one in that tree: FER-2013 has byte-identical duplicates across its
 * splits, which `evaluate` rightly counts as training data.
 */
export function copyFerSubset(
  split: "train" | "val",
  target: string,
  perClass: number,
  options: { rename?: Record<string, string>; offset?: number; excludeCopiesOf?: string } = {},
): void {
  const excluded = options.excludeCopiesOf ? fileDigestsOf(options.excludeCopiesOf) : new Set<string>();
  for (const folder of FER_FOLDERS) {
    const source = join(FER, split, folder);
    const destination = join(target, options.rename?.[folder] ?? folder);
    mkdirSync(destination, { recursive: true });
    let copied = 0;
    for (const file of readdirSync(source)
      .sort()
      .slice(options.offset ?? 0)) {
      if (copied === perClass) break;
      if (excluded.size && excluded.has(fileDigest(join(source, file)))) continue;
      copyFileSync(join(source, file), join(destination, file));
      copied += 1;
    }
  }
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the trainer CLI in a child process (the real entry point), with extra environment. */
export function runCli(
  args: string[],
  env: Record<string, string | undefined>,
  options: { killWhen?: (stderr: string) => boolean } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
      env: { ...process.env, MOODLENS_BACKEND: "wasm", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let killed = false;
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!killed && options.killWhen?.(stderr)) {
        killed = true;
        child.kill("SIGKILL");
      }
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Tiny network + schedule so a test training takes seconds. */
export const TINY_TRAIN_ARGS = [
  "--architecture",
  "deep",
  "--network",
  JSON.stringify({
    blockWidths: [4, 8],
    convsPerBlock: 1,
    head: "gap",
    denseUnits: 0,
    blockDropout: 0.1,
    denseDropout: 0,
    l2: 0.001,
  }),
  "--epochs",
  "2",
  "--batch-size",
  "32",
  "--seed",
  "7",
  "--no-progress",
];
