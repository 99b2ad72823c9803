import { describe, expect, it } from "vitest";
import { checkUpload } from "../lib/upload";

describe("checkUpload", () => {
  const MB = 1024 * 1024;
  it("accepts a JPEG under the limit", () => {
    expect(checkUpload({ name: "a.jpg", type: "image/jpeg", size: 2 * MB }, 8 * MB)).toBeNull();
  });
  it("rejects other types with the reason", () => {
    expect(checkUpload({ name: "notes.pdf", type: "application/pdf", size: 1000 }, 8 * MB)).toMatchObject({
      kind: "type",
    });
    expect(checkUpload({ name: "x", type: "", size: 1000 }, 8 * MB)?.message).toMatch(
      /not a supported image/,
    );
  });
  it("rejects files over the limit, naming both sizes", () => {
    const problem = checkUpload({ name: "big.png", type: "image/png", size: 12 * MB }, 8 * MB);
    expect(problem).toMatchObject({ kind: "size" });
    expect(problem?.message).toMatch(/12\.0 MB.*8\.0 MB/);
  });
  it("rejects empty files", () => {
    expect(checkUpload({ name: "e.jpg", type: "image/jpeg", size: 0 }, 8 * MB)).toMatchObject({
      kind: "empty",
    });
  });
});
