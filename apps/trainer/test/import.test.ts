import { mkdirSync, writeFileSync, copyFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMOTIONS } from "@moodlens/shared";
import { importFolderTree } from "../src/dataset/folder";
import { importFer2013Csv } from "../src/dataset/csv";
import { loadOrImport } from "../src/dataset/load";
import { readDatasetCache } from "../src/dataset/cache";
import { copyFerSubset, FER, runCli, tempDirectory } from "./helpers";

const work = tempDirectory("import");
afterAll(() => work.remove());

describe("folder-per-class import", () => {
  const root = join(work.path, "affectnet-style");
  beforeAll(() => {
    // Folder names of other datasets, a class the model lacks, a corrupt file and a text file.
    copyFerSubset("val", root, 3, {
      rename: {
        angry: "anger",
        sad: "sadness",
        happy: "happiness",
        surprise: "surprised",
        fear: "fearful",
        disgust: "disgusted",
      },
    });
    mkdirSync(join(root, "contempt"));
    const happyFiles = readdirSync(join(FER, "val", "happy"))
      .sort()
      .slice(10, 12);
    for (const f of happyFiles) copyFileSync(join(FER, "val", "happy", f), join(root, "contempt", f));
    writeFileSync(
      join(root, "sadness", "truncated.jpg"),
      Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70]),
    );
    writeFileSync(join(root, "neutral", "notes.txt"), "not an image");
  });

  it("maps folder names to labels, counts and skips unknown labels, lists corrupt files", async () => {
    const samples = await importFolderTree(root);
    expect(samples.pixels).toHaveLength(21);
    expect(samples.pixels.every((crop) => crop.length === 48 * 48)).toBe(true);
    const counts = EMOTIONS.map((_, label) => samples.labels.filter((l) => l === label).length);
    expect(counts).toEqual([3, 3, 3, 3, 3, 3, 3]);
    expect(samples.report.skipped).toEqual({ contempt: 2 });
    expect(samples.report.corrupt).toEqual(["sadness/truncated.jpg"]);
    // PublicTest_ file names keep their split.
    expect(new Set(samples.splits)).toEqual(new Set(["val"]));
  });

  it("caches once with a stable fingerprint and reads the cache back", async () => {
    const cacheDirectory = join(work.path, "cache");
    const first = await loadOrImport(root, { cacheDirectory });
    expect(first.imported).toBe(true);
    const second = await loadOrImport(root, { cacheDirectory });
    expect(second.imported).toBe(false);
    expect(second.dataset.manifest.fingerprint).toBe(first.dataset.manifest.fingerprint);
    const read = readDatasetCache(first.directory);
    expect(read.pixels).toEqual(first.dataset.pixels);
    expect(read.manifest.report.corrupt).toEqual(["sadness/truncated.jpg"]);
    const rebuilt = await loadOrImport(root, { cacheDirectory, force: true });
    expect(rebuilt.dataset.manifest.fingerprint).toBe(first.dataset.manifest.fingerprint);
  });

  it("imports a tree again when its files changed since it was cached, and only then", async () => {
    const tree = join(work.path, "growing");
    copyFerSubset("val", tree, 2);
    const cacheDirectory = join(work.path, "cache-growing");
    const first = await loadOrImport(tree, { cacheDirectory });
    expect(first.dataset.manifest.count).toBe(14);
    // A file added after the import (a tree still being generated when it was first read).
    const extra = readdirSync(join(FER, "val", "fear")).sort()[20]!;
    copyFileSync(join(FER, "val", "fear", extra), join(tree, "fear", extra));
    const grown = await loadOrImport(tree, { cacheDirectory });
    expect(grown.imported).toBe(true);
    expect(grown.dataset.manifest.count).toBe(15);
    const again = await loadOrImport(tree, { cacheDirectory });
    expect(again.imported).toBe(false);
    expect(again.dataset.manifest.fingerprint).toBe(grown.dataset.manifest.fingerprint);
  });

  it("rejects an empty folder and a single class with a clear error", async () => {
    const empty = join(work.path, "empty");
    mkdirSync(join(empty, "contempt"), { recursive: true });
    await expect(importFolderTree(empty)).rejects.toThrow(/no usable images/);
    const single = join(work.path, "single");
    copyFerSubset("val", single, 2);
    for (const folder of ["angry", "disgust", "fear", "neutral", "sad", "surprise"]) {
      for (const f of readdirSync(join(single, folder))) writeFileSync(join(single, folder, f), "x");
    }
    await expect(importFolderTree(single)).rejects.toThrow(/only one class \(happy\)/);
  });

  it("the import command reports the same and exits 2 on a bad tree", async () => {
    const ok = await runCli(["import", "--from", root, "--json"], {
      MOODLENS_CACHE_DIR: join(work.path, "cli-cache"),
    });
    expect(ok.code).toBe(0);
    const manifest = JSON.parse(ok.stdout) as {
      count: number;
      report: { skipped: Record<string, number>; corrupt: string[] };
    };
    expect(manifest.count).toBe(21);
    expect(manifest.report.skipped.contempt).toBe(2);
    const bad = await runCli(["import", "--from", join(work.path, "empty")], {
      MOODLENS_CACHE_DIR: join(work.path, "cli-cache"),
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/error: no usable images/);
  });
});

describe("photo import (face detection first)", () => {
  it("crops the largest face of each photo, lists photos without a face and unreadable files", async () => {
    const { default: sharp } = await import("sharp");
    const { importPhotoTree } = await import("../src/dataset/photos");
    const root = join(work.path, "photos");
    const photos = join(FER, "..", "..", "samples", "group-photos");
    const names = readdirSync(photos)
      .filter((f) => f.endsWith(".jpg"))
      .sort();
    mkdirSync(join(root, "happiness"), { recursive: true });
    mkdirSync(join(root, "sad"), { recursive: true });
    copyFileSync(join(photos, names[0]!), join(root, "happiness", "a.jpg"));
    copyFileSync(join(photos, names[1]!), join(root, "sad", "b.jpg"));
    await sharp({ create: { width: 160, height: 120, channels: 3, background: { r: 90, g: 140, b: 200 } } })
      .png()
      .toFile(join(root, "sad", "sky.png"));
    writeFileSync(join(root, "sad", "broken.jpg"), "not a jpeg");
    const samples = await importPhotoTree(root);
    expect(samples.labels).toEqual([3, 4]);
    expect(samples.pixels.every((crop) => crop.length === 48 * 48)).toBe(true);
    expect(samples.report.noFace).toEqual(["sad/sky.png"]);
    expect(samples.report.corrupt).toEqual(["sad/broken.jpg"]);
  });
});

describe("FER-2013 CSV import", () => {
  it("keeps good rows with their Usage split and lists mismatched rows by line", async () => {
    const pixels = (value: number, count = 2304) => Array(count).fill(value).join(" ");
    const path = join(work.path, "fer.csv");
    writeFileSync(
      path,
      [
        "emotion,pixels,Usage",
        `0,${pixels(10)},Training`,
        `3,${pixels(200)},PublicTest`,
        `6,${pixels(50)},PrivateTest`,
        `3,${pixels(1, 100)},Training`, // too few pixels
        `9,${pixels(5)},Training`, // no such class: counted as skipped
        `x,${pixels(5)},Training`, // not a class index
        `2,${pixels(300)},Training`, // out of range
        "4",
        "",
      ].join("\n"),
    );
    const samples = await importFer2013Csv(path);
    expect(samples.labels).toEqual([0, 3, 6]);
    expect(samples.splits).toEqual(["train", "val", "test"]);
    expect(samples.pixels[1]![0]).toBe(200);
    expect(samples.report.skipped).toEqual({ "emotion 9": 1 });
    expect(samples.report.corrupt).toEqual([
      "line 5: expected 2304 pixels, got 100",
      'line 7: emotion "x" is not a class index',
      "line 8: pixel values must be integers 0-255",
      "line 9: expected 3 columns, got 1",
    ]);
  });

  it("rejects a CSV without the expected header", async () => {
    const path = join(work.path, "bad.csv");
    writeFileSync(path, "label,image\n1,2\n");
    await expect(importFer2013Csv(path)).rejects.toThrow(/header/);
  });
});
