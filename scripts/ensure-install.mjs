#!/usr/bin/env node
// Installs what is missing before `npm start`, `npm test` and the CLIs run, so a fresh clone needs only Node and npm.
// Dependencies are reinstalled when package-lock.json changed since the last install; generated code (Prisma client,
// GraphQL resolver types) is regenerated through turbo, which caches it.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const STAMP = join(ROOT, "node_modules", ".moodlens-install-stamp");

/** Offline-friendly defaults for every tool we spawn (see ../shared/docs/offline-stack.md). */
export const TOOL_ENV = {
  TURBO_TELEMETRY_DISABLED: "1",
  NEXT_TELEMETRY_DISABLED: "1",
  CHECKPOINT_DISABLE: "1", // Prisma's update check
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  DO_NOT_TRACK: "1",
  // onnxruntime-node's postinstall downloads CUDA binaries on linux/x64; the CPU ones ship inside the package. Set
  // here, where npm ci/install runs, not as `onnxruntime-node-install=skip` in .npmrc (npm warns on that key).
  ONNXRUNTIME_NODE_INSTALL: "skip",
};

function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    cwd: ROOT,
    // npm's own output goes to stderr: stdout belongs to the command this runs before (e.g. `evaluate --json`).
    stdio: options.quiet ? ["ignore", "pipe", "pipe"] : ["inherit", 2, 2],
    env: { ...process.env, ...TOOL_ENV },
  });
  if (result.status !== 0) {
    if (options.quiet) process.stderr.write(String(result.stdout ?? "") + String(result.stderr ?? ""));
    throw new Error(`${command} ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
  }
}

const lockHash = () =>
  createHash("sha256")
    .update(readFileSync(join(ROOT, "package-lock.json")))
    .digest("hex");

export function ensureInstalled({ log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const [major] = process.versions.node.split(".").map(Number);
  if (major < 20)
    throw new Error(`Node ${process.versions.node} is too old: Moodlens needs Node 20 or newer`);
  const wanted = lockHash();
  const installed = existsSync(STAMP) ? readFileSync(STAMP, "utf8").trim() : "";
  const fresh = !existsSync(join(ROOT, "node_modules", ".bin", "turbo"));
  if (process.env.MOODLENS_SKIP_INSTALL !== "1" && (fresh || wanted !== installed)) {
    // A fresh clone gets the exact lockfile (npm ci); an existing tree is updated in place (npm install), which
    // never deletes node_modules under a running process (a training job, a dev server).
    log(`moodlens: installing dependencies (${fresh ? "npm ci" : "npm install"})…`);
    run("npm", [fresh ? "ci" : "install", "--no-audit", "--no-fund", "--loglevel=error"]);
    writeFileSync(STAMP, `${wanted}\n`);
  }
  // Generated code is git-ignored; turbo's cache makes this a no-op when inputs did not change.
  run("npx", ["turbo", "run", "generate", "--output-logs=errors-only", "--log-prefix=none"], { quiet: true });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    ensureInstalled();
  } catch (error) {
    process.stderr.write(`moodlens: ${error.message}\n`);
    process.exit(1);
  }
}
