import { spawn } from "node:child_process";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RunRecorder } from "../run/run-options";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "cli.ts");
/** A sync that takes longer than this is abandoned for now (the next epoch or `runs sync` retries). */
const SYNC_TIMEOUT_MS = 120_000;

/**
 * Records runs in the database from this process: open (PostgreSQL via DATABASE_URL, else embedded PGlite),
 * sync the run folder, close, after each epoch. Opening and closing each time keeps the embedded database, which
 * allows one process at a time, free for the API and other commands between epochs. Never throws; a sync that
 * hangs is abandoned after SYNC_TIMEOUT_MS and retried at the next epoch.
 */
export function databaseRecorder(): RunRecorder {
  return {
    async sync(runDirectory) {
      let timer: NodeJS.Timeout | undefined;
      try {
        const { syncRunToDatabase } = await import("./sync");
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${SYNC_TIMEOUT_MS / 1000} s`)),
            SYNC_TIMEOUT_MS,
          );
        });
        await Promise.race([syncRunToDatabase(runDirectory), timeout]);
        return undefined;
      } catch (error) {
        return error instanceof Error ? error.message.split("\n")[0] : String(error);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * The same, by running `trainer runs sync` in a short-lived child process after each epoch (`train --sync-process`). Why a child: a training run lives for
 * hours, and the child (1) always runs the current code and database layer, (2) opens and closes the embedded
 * database, which allows one process at a time, instead of holding it for the whole run, and (3) cannot stall or
 * crash the training. Never throws: a failure is returned and the run continues; its journal is the source of truth.
 */
export function subprocessRecorder(): RunRecorder {
  return {
    sync(runDirectory) {
      return new Promise((resolve) => {
        const child = spawn(
          process.execPath,
          [
            "--import",
            "tsx",
            CLI,
            "runs",
            "sync",
            basename(runDirectory),
            "--run-dir",
            dirname(runDirectory),
          ],
          { stdio: ["ignore", "ignore", "pipe"], env: process.env },
        );
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        const timer = setTimeout(() => child.kill("SIGKILL"), SYNC_TIMEOUT_MS);
        child.on("error", (error) => {
          clearTimeout(timer);
          resolve(error.message);
        });
        child.on("close", (code, signal) => {
          clearTimeout(timer);
          if (code === 0) resolve(undefined);
          else
            resolve(
              stderr
                .trim()
                .split("\n")
                .at(-1)
                ?.replace(/^error: /, "") || `sync exited with ${code ?? signal}`,
            );
        });
      });
    },
  };
}
