import { describe, expect, it } from "vitest";
import { apiBaseUrl, jobFromUploadAnswer } from "../lib/api/rest";
import { checkVideo, videoTypeOf } from "../lib/video-upload";

describe("video uploads", () => {
  it("accepts mp4, webm and mov (by extension when the browser gives no type) and refuses the rest", () => {
    expect(checkVideo({ name: "a.webm", type: "video/webm", size: 10 }, 100)).toBeNull();
    expect(videoTypeOf({ name: "clip.MOV", type: "" })).toBe("video/quicktime");
    expect(checkVideo({ name: "clip.mov", type: "", size: 10 }, 100)).toBeNull();
    expect(checkVideo({ name: "notes.txt", type: "text/plain", size: 10 }, 100)?.kind).toBe("type");
    expect(checkVideo({ name: "big.mp4", type: "video/mp4", size: 101 }, 100)?.kind).toBe("size");
    expect(checkVideo({ name: "empty.mp4", type: "video/mp4", size: 0 }, 100)?.kind).toBe("empty");
  });

  it("finds the REST base beside the GraphQL endpoint and the job in the upload answer", () => {
    expect(apiBaseUrl("http://localhost:4000/graphql")).toBe("http://localhost:4000");
    expect(apiBaseUrl("https://api.example.org/moodlens/graphql/")).toBe("https://api.example.org/moodlens");
    expect(jobFromUploadAnswer({ job: { id: "j1", status: "QUEUED" } })).toEqual({
      id: "j1",
      status: "QUEUED",
    });
    expect(jobFromUploadAnswer({ error: { code: "BAD_USER_INPUT" } })).toBeNull();
  });
});
