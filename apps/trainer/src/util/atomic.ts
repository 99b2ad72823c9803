import { closeSync, fsyncSync, openSync, renameSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, basename, join } from "node:path";

/**
 * Writes a file so that readers (and a process killed at any instant) see either the old or the new content,
 * never a torn one: write to a temporary file in the same folder, fsync, rename over the target.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(temporary, data);
  const fd = openSync(temporary, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

/** fsync a folder so a rename inside it survives a crash of the machine, not only of the process. */
export function fsyncDirectory(path: string): void {
  try {
    const fd = openSync(path, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic for the process.
  }
}

export const writeJsonAtomic = (path: string, value: unknown): void =>
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
