import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, RESULTS_DIR, SHARED_DIR, recordedPath, withRecordedPaths } from "../src/core/paths";

describe("paths in committed results", () => {
  it("are relative to the repository: models/default, ../shared/…; other strings stay as they are", () => {
    const results = withRecordedPaths({
      model: join(REPO_ROOT, "models", "default"),
      photos: join(SHARED_DIR, "samples", "group-photos"),
      note: `served from ${join(REPO_ROOT, "models", "default")}: random-init`,
      elsewhere: "/usr/bin/chromium",
      count: 3,
    });
    expect(results.model).toBe("models/default");
    expect(results.photos).toBe(
      SHARED_DIR.startsWith(`${dirname(REPO_ROOT)}/`) ? "../shared/samples/group-photos" : results.photos,
    );
    expect(results.note).toBe("served from models/default: random-init");
    expect(results.elsewhere).toBe("/usr/bin/chromium");
    expect(results.count).toBe(3);
    expect(recordedPath(REPO_ROOT)).toBe(".");
  });

  it("hold no machine path in any committed results file", () => {
    const prefix = `${dirname(REPO_ROOT)}/`;
    for (const file of readdirSync(RESULTS_DIR).filter((name) => name.endsWith(".json")))
      expect(readFileSync(join(RESULTS_DIR, file), "utf8").includes(prefix), file).toBe(false);
  });
});
