/** Dependency-free limits shared by next.config.ts and lib/env.ts. */

/** The proxy (proxy.ts) copies request bodies up to this size (next.config.ts proxyClientMaxBodySize): the ceiling of a video upload. */
export const MAX_VIDEO_BYTES_CEILING = 256 * 1024 * 1024;
