import type { NextConfig } from "next";
import { MAX_VIDEO_BYTES_CEILING } from "./lib/limits";

/**
 * Sent with every response. Scripts and styles come only from this origin ('unsafe-inline' because Next's App
 * Router bootstraps with inline scripts and recharts styles inline; nonces would force per-request rendering of
 * every asset); photos previewed in Try it are blob: URLs and saliency maps data: URLs. No page may be framed.
 * The proxy (proxy.ts) copies request bodies up to proxyClientMaxBodySize, so video uploads need more than 10 MB.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  // The Videos page plays the analyst's own copy of an uploaded video from an object URL.
  "media-src 'self' blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS = [
  { key: "Content-Security-Policy", value: CONTENT_SECURITY_POLICY },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  // The Live page needs the camera, for this origin only.
  { key: "Permissions-Policy", value: "camera=(self), microphone=(), geolocation=()" },
];

const nextConfig: NextConfig = {
  // @moodlens/shared and @moodlens/auth are just-in-time TypeScript packages (exports point at src/*.ts): Next compiles them.
  transpilePackages: ["@moodlens/shared", "@moodlens/auth"],
  // Lets a second build (e.g. a developer's check while the test pipeline runs) use its own folder instead of
  // overwriting the .next of a running server.
  distDir: process.env.MOODLENS_DASHBOARD_DIST_DIR || ".next",
  poweredByHeader: false,
  experimental: { proxyClientMaxBodySize: MAX_VIDEO_BYTES_CEILING },
  reactStrictMode: true,
  headers: async () => [{ source: "/:path*", headers: SECURITY_HEADERS }],
};

export default nextConfig;
