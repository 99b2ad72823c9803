import { randomUUID } from "node:crypto";
import { authenticate, type RateLimitState } from "./auth/authenticate";
import { createLoaders, type Loaders } from "./loaders";
import type { ViewerView } from "./auth/viewer";
import type { ApiRuntime } from "./runtime";

/** What every resolver gets: the instance's runtime plus this request's caller and DataLoaders. */
export interface ApiContext {
  runtime: ApiRuntime;
  viewer: ViewerView | null;
  rateLimit: RateLimitState | null;
  loaders: Loaders;
  requestId: string;
  /** The TCP peer's address: what unauthenticated requests are rate-limited by. */
  clientAddress?: string | undefined;
}

export interface ContextRequest {
  /** The raw Authorization header. */
  authorization?: string | undefined;
  requestId?: string | undefined;
  clientAddress?: string | undefined;
}

/** Builds a request's context; throws AppError UNAUTHENTICATED / RATE_LIMITED / DATABASE_UNAVAILABLE. */
export async function createContext(runtime: ApiRuntime, request: ContextRequest = {}): Promise<ApiContext> {
  const { viewer, rateLimit } = await authenticate(runtime, request.authorization, request.clientAddress);
  return {
    runtime,
    viewer,
    rateLimit,
    loaders: createLoaders(runtime.db),
    requestId: request.requestId ?? randomUUID(),
    clientAddress: request.clientAddress,
  };
}
