import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  // One graphql instance: Node loads graphql's CommonJS build for @apollo/server (externalized), so our inlined
  // code must import the same file, not the package's ESM "module" build ("Cannot use GraphQLObjectType from another realm").
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }] },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Files share two CPU cores with the model; run them one after another.
    fileParallelism: false,
  },
});
