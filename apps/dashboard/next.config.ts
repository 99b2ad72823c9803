import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // @moodlens/shared is a just-in-time TypeScript package (exports point at src/*.ts): Next compiles it.
  transpilePackages: ["@moodlens/shared"],
  // Lets a second build (e.g. a developer's check while the test pipeline runs) use its own folder instead of
  // overwriting the .next of a running server.
  distDir: process.env.MOODLENS_DASHBOARD_DIST_DIR || ".next",
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
