import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readStatus, updateStatus } from "../src/run/run-files";

const folders: string[] = [];
const runFolder = () => {
  const folder = mkdtempSync(join(tmpdir(), "moodlens-status-"));
  folders.push(folder);
  return folder;
};
afterEach(() => folders.splice(0).forEach((folder) => rmSync(folder, { recursive: true, force: true })));

describe("status.json", () => {
  it("drops the error of an earlier stop when the run runs again and completes", () => {
    const folder = runFolder();
    updateStatus(folder, { status: "interrupted", error: "interrupted by SIGTERM" });
    expect(readStatus(folder).error).toBe("interrupted by SIGTERM");
    updateStatus(folder, { status: "running" });
    expect(readStatus(folder).error).toBeUndefined();
    updateStatus(folder, { status: "completed", finishedAt: new Date().toISOString() });
    expect(readStatus(folder)).toMatchObject({ status: "completed" });
    expect(readStatus(folder).error).toBeUndefined();
  });

  it("keeps the error of a failed run", () => {
    const folder = runFolder();
    updateStatus(folder, { status: "failed", error: "out of memory" });
    updateStatus(folder, { finishedAt: new Date().toISOString() });
    expect(readStatus(folder).error).toBe("out of memory");
  });
});
