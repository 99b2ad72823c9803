import { defineConfig } from "vitest/config";
// Real model, real ffmpeg, real databases on a shared 2-core machine: generous timeouts, files one at a time.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
