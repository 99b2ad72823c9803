import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // @moodlens/shared is a just-in-time TypeScript package (exports point at src/*.ts): Next compiles it.
  transpilePackages: ["@moodlens/shared"],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
