#!/usr/bin/env node
// Generates the Prisma client into src/generated/ when prisma/schema.prisma changed since the last run.
//
// Offline note: every Prisma CLI command first looks for its native schema engine and tries to download it.
// `generate` does not use that engine, so pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file lets it run
// offline. (Never do this for `prisma migrate`: it would silently apply nothing. Migrations go through
// src/migrations/migrate.ts.)
//
// Usage: node packages/db/scripts/generate.mjs [--force]   (or import { prismaGenerateIfNeeded })
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const schemaPath = path.join(packageDir, "prisma", "schema.prisma");
const outputDir = path.join(packageDir, "src", "generated", "prisma");
const stampPath = path.join(outputDir, ".schema-sha256");

function fingerprint() {
  const hash = createHash("sha256");
  hash.update(readFileSync(schemaPath));
  const prismaPackage = path.join(packageDir, "..", "..", "node_modules", "prisma", "package.json");
  if (existsSync(prismaPackage)) hash.update(JSON.parse(readFileSync(prismaPackage, "utf8")).version);
  return hash.digest("hex");
}

/** Runs `prisma generate` unless the client was generated from the same schema (and Prisma version). */
export function prismaGenerateIfNeeded({ force = false, quiet = false } = {}) {
  const expected = fingerprint();
  const clientFile = path.join(outputDir, "client.ts");
  if (
    !force &&
    existsSync(clientFile) &&
    existsSync(stampPath) &&
    readFileSync(stampPath, "utf8") === expected
  ) {
    return { generated: false };
  }
  const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
  if (!env.PRISMA_SCHEMA_ENGINE_BINARY)
    env.PRISMA_SCHEMA_ENGINE_BINARY = path.join(packageDir, "package.json");
  const result = spawnSync("npx", ["--no-install", "prisma", "generate"], {
    cwd: packageDir,
    env,
    stdio: quiet ? "pipe" : "inherit",
    encoding: "utf8",
  });
  if (result.status !== 0) {
    const detail = quiet ? `${result.stdout ?? ""}${result.stderr ?? ""}`.trim() : "";
    throw new Error(`prisma generate failed (exit ${result.status})${detail ? `: ${detail}` : ""}`);
  }
  writeFileSync(stampPath, expected);
  return { generated: true };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { generated } = prismaGenerateIfNeeded({ force: process.argv.includes("--force") });
    if (!generated) console.log("prisma client is up to date");
  } catch (error) {
    console.error(`error: ${error.message}`);
    process.exitCode = 1;
  }
}
