import path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultDataDir, defaultPgliteDir } from "../src/paths";

const REPO_ROOT = path.resolve(import.meta.dirname, "..", "..", "..");

describe("data folder defaults (MOODLENS_DATA_DIR is read by each app's env.ts and passed in)", () => {
  it("uses .data at the repository root when no folder is given, whatever the environment says", () => {
    const saved = process.env.MOODLENS_DATA_DIR;
    process.env.MOODLENS_DATA_DIR = "/elsewhere";
    try {
      expect(defaultDataDir()).toBe(path.join(REPO_ROOT, ".data"));
      expect(defaultDataDir("")).toBe(path.join(REPO_ROOT, ".data"));
      expect(defaultPgliteDir()).toBe(path.join(REPO_ROOT, ".data", "pglite"));
    } finally {
      if (saved === undefined) delete process.env.MOODLENS_DATA_DIR;
      else process.env.MOODLENS_DATA_DIR = saved;
    }
  });

  it("resolves a given folder against the working directory; the database is its pglite/", () => {
    expect(defaultDataDir("/srv/moodlens")).toBe("/srv/moodlens");
    expect(defaultPgliteDir("/srv/moodlens")).toBe(path.join("/srv/moodlens", "pglite"));
    expect(defaultDataDir("relative/data")).toBe(path.resolve("relative/data"));
  });
});
