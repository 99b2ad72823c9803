import { defineConfig } from "vitest/config";
// ffmpeg encodes and decodes in these tests on a shared 2-core machine: generous timeouts, no timed assertions.
export default defineConfig({
  test: { include: ["test/**/*.test.ts"], testTimeout: 180_000, hookTimeout: 180_000 },
});
