/**
 * PGlite is a single-process database: two processes opening one folder corrupt it. A lock file with the owner's
 * pid makes the second process fail fast with a message that says what to do. A stale lock (owner dead) is taken over.
 */
import { openSync, readFileSync, unlinkSync, writeSync, closeSync } from "node:fs";
import path from "node:path";
import { AppError } from "@moodlens/shared";

const LOCK_FILE = "moodlens.lock";
const heldLocks = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function releaseAllOnExit(): void {
  for (const file of heldLocks) {
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
  }
}
let exitHookInstalled = false;

export function acquireDataDirLock(dataDir: string): () => void {
  const file = path.join(dataDir, LOCK_FILE);
  const inUse = () =>
    new AppError(
      "DATABASE_UNAVAILABLE",
      `the embedded database in ${dataDir} is used by another Moodlens process; stop it or set MOODLENS_DATA_DIR`,
      {
        hint: "or serve it to several processes with serveEmbeddedDatabase (the start script does) and set DATABASE_URL",
        details: { dataDir },
      },
    );
  if (heldLocks.has(file)) throw inUse();
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldLocks.add(file);
      if (!exitHookInstalled) {
        process.once("exit", releaseAllOnExit);
        exitHookInstalled = true;
      }
      return () => {
        if (!heldLocks.delete(file)) return;
        try {
          unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number.parseInt(readFileSync(file, "utf8"), 10);
      if (Number.isFinite(owner) && owner !== process.pid && isAlive(owner)) throw inUse();
      unlinkSync(file); // stale: its owner died without cleaning up
    }
  }
  throw inUse();
}
