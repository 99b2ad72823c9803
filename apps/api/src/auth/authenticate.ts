import { consumeRateLimit, toDatabaseError, verifyApiKey } from "@moodlens/db";
import { API_SCOPES, AppError, type ApiScope } from "@moodlens/shared";
import type { ViewerView } from "./viewer";
import type { ApiRuntime } from "../runtime";
import { chargeAddress } from "../limits/address-rate-limit";
import { rateLimited } from "../limits/analysis-budget";
import { isApiScope } from "./scopes";
import { authenticateSession } from "./session";

/** Keyless caller when MOODLENS_AUTH=optional (local development only): every scope. */
export const LOCAL_DEVELOPER: ViewerView = {
  keyId: "local",
  name: "local developer (MOODLENS_AUTH=optional)",
  scopes: [...API_SCOPES],
};

export interface RateLimitState {
  limit: number;
  remaining: number;
  resetAt: Date;
}

export interface Authentication {
  viewer: ViewerView | null;
  rateLimit: RateLimitState | null;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;
/** A signed-in dashboard user's session token, forwarded by the dashboard's server (see ./session.ts). */
const SESSION = /^Session\s+(\S+)\s*$/i;

/**
 * Resolves the Authorization header to a viewer and counts the request against the key's per-minute budget
 * (shared by every instance through the database). No header: anonymous (or the local developer when auth is
 * optional); a header that is malformed, unknown, revoked or expired: UNAUTHENTICATED, never silently anonymous.
 */
export async function authenticate(
  runtime: ApiRuntime,
  authorization: string | undefined,
  clientAddress?: string,
): Promise<Authentication> {
  if (!authorization || authorization.trim() === "") {
    // No key to count against: count per client address (this instance's memory), so keyless floods are bounded too.
    if (clientAddress) {
      const budget = chargeAddress(runtime, clientAddress, runtime.config.limits.anonymousRateLimitPerMinute);
      if (!budget.allowed)
        throw rateLimited(budget.limit, budget.resetAt, "this address (requests without an API key)");
    }
    return { viewer: runtime.config.auth === "optional" ? LOCAL_DEVELOPER : null, rateLimit: null };
  }
  const session = SESSION.exec(authorization);
  if (session) {
    try {
      return await authenticateSession(runtime, session[1]!);
    } catch (error) {
      throw toDatabaseError(error);
    }
  }
  const match = BEARER.exec(authorization);
  if (!match) {
    throw new AppError(
      "UNAUTHENTICATED",
      'the Authorization header must be "Bearer <API key>" (or "Session <token>" from the dashboard)',
    );
  }
  try {
    const verified = await verifyApiKey(runtime.db.prisma, match[1]!);
    if (!verified.key) {
      const why =
        verified.reason === "revoked"
          ? "has been revoked"
          : verified.reason === "expired"
            ? "has expired"
            : "is not valid";
      throw new AppError("UNAUTHENTICATED", `the API key ${why}`, { details: { reason: verified.reason } });
    }
    const key = verified.key;
    const limit = key.rateLimitPerMinute ?? runtime.config.limits.rateLimitPerMinute;
    const budget = await consumeRateLimit(runtime.db.prisma, key.id, limit);
    const rateLimit = { limit: budget.limit, remaining: budget.remaining, resetAt: budget.resetAt };
    if (!budget.allowed) {
      const retryAfterSeconds = Math.max(1, Math.ceil((budget.resetAt.getTime() - Date.now()) / 1000));
      throw new AppError(
        "RATE_LIMITED",
        `rate limit of ${limit} requests per minute exceeded for this API key`,
        {
          details: { limit, retryAfterSeconds, resetAt: budget.resetAt.toISOString() },
          hint: `retry after ${retryAfterSeconds} s`,
        },
      );
    }
    const viewer: ViewerView = {
      keyId: key.id,
      name: key.name,
      scopes: key.scopes.filter(isApiScope) as ApiScope[],
      createdAt: key.createdAt,
      expiresAt: key.expiresAt,
      rateLimitPerMinute: limit,
    };
    return { viewer, rateLimit };
  } catch (error) {
    throw toDatabaseError(error);
  }
}
