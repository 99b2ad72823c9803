import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, fromRecordedPath, toRecordedPath } from "../src/util/paths";

describe("paths in records", () => {
  it("are stored relative to the repo root inside or beside it, absolute elsewhere, and resolve back", () => {
    const shared = join(REPO_ROOT, "..", "shared", "datasets", "fer2013", "val");
    expect(toRecordedPath(shared)).toBe("../shared/datasets/fer2013/val");
    expect(toRecordedPath(join(REPO_ROOT, "models", "default"))).toBe("models/default");
    expect(fromRecordedPath("../shared/datasets/fer2013/val")).toBe(shared);
    // Two levels up is no longer "beside the repo": a temporary folder stays absolute, and so resolves to itself.
    const temporary = join(tmpdir(), "moodlens-elsewhere");
    expect(toRecordedPath(temporary)).toBe(temporary);
    expect(fromRecordedPath(temporary)).toBe(temporary);
  });

  /**
   * Every committed run record and model metadata file: no machine paths, and each recorded path exists here, except
   * generated training data under `.scratch/` (never committed), whose folder models/training/README.md must name
   * together with the command that makes it.
   */
  it("of the committed models name no machine path, and resolve to folders that exist or are documented scratch data", () => {
    // Committed files only: a run in progress in models/training is the trainer's to write until it is committed.
    const files = execFileSync("git", ["ls-files", "models"], { cwd: REPO_ROOT, encoding: "utf8" })
      .split("\n")
      .filter((file) => /(^|\/)(run|evaluation|metadata)\.json$/.test(file))
      .map((file) => join(REPO_ROOT, file));
    const paths: string[] = [];
    for (const file of files) {
      const record = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
      const spec = record as {
        data?: { train?: { source: string }; val?: { source: string } | null } | string;
        publishTo?: string;
        config?: { initFrom?: { source: string } };
        hyperparameters?: Record<string, unknown>;
      };
      if (typeof spec.data === "object")
        paths.push(spec.data.train!.source, ...(spec.data.val ? [spec.data.val.source] : []));
      if (spec.publishTo) paths.push(spec.publishTo);
      if (spec.config?.initFrom) paths.push(spec.config.initFrom.source);
      const fromMetadata = spec.hyperparameters?.["initFrom.source"];
      if (typeof fromMetadata === "string") paths.push(fromMetadata);
      expect(readFileSync(file, "utf8"), file).not.toMatch(/"\/(work|home|tmp|Users)\//);
    }
    expect(paths.length).toBeGreaterThan(3);
    const trainingReadme = readFileSync(join(REPO_ROOT, "models", "training", "README.md"), "utf8");
    for (const path of paths) {
      expect(isAbsolute(path), path).toBe(false);
      if (path.startsWith(".scratch/"))
        expect(trainingReadme, `${path}: how to regenerate it`).toContain(`--out ${path}`);
      else expect(existsSync(fromRecordedPath(path)), path).toBe(true);
    }
  });
});
