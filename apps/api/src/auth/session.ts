import { consumeUserRateLimit, verifySessionToken } from "@moodlens/db";
import { AppError, scopesForRole } from "@moodlens/shared";
import type { ViewerView } from "./viewer";
import type { ApiRuntime } from "../runtime";
import type { Authentication } from "./authenticate";

/**
 * The second credential kind: a dashboard user's session token (`Authorization: Session <token>`), forwarded by
 * the dashboard's server for the signed-in user. The session is looked up in the shared database (better-auth
 * wrote it at sign-in), the user's role becomes API scopes (scopesForRole), and the request counts against the
 * user's per-minute budget, the same limit an API key without its own limit gets.
 */
export async function authenticateSession(runtime: ApiRuntime, token: string): Promise<Authentication> {
  const prisma = runtime.db.prisma;
  const verified = await verifySessionToken(prisma, token);
  if (!verified.user) {
    const why =
      verified.reason === "expired"
        ? "has expired"
        : verified.reason === "disabled"
          ? "belongs to a disabled user"
          : "is not valid";
    throw new AppError("UNAUTHENTICATED", `the session ${why}`, {
      details: { reason: verified.reason },
      hint: "sign in to the dashboard again",
    });
  }
  const user = verified.user;
  const limit = runtime.config.limits.rateLimitPerMinute;
  const budget = await consumeUserRateLimit(prisma, user.id, limit);
  if (!budget.allowed) {
    const retryAfterSeconds = Math.max(1, Math.ceil((budget.resetAt.getTime() - Date.now()) / 1000));
    throw new AppError("RATE_LIMITED", `rate limit of ${limit} requests per minute exceeded for this user`, {
      details: { limit, retryAfterSeconds, resetAt: budget.resetAt.toISOString() },
      hint: `retry after ${retryAfterSeconds} s`,
    });
  }
  const viewer: ViewerView = {
    keyId: `user:${user.id}`,
    userId: user.id,
    role: user.role,
    name: user.email,
    scopes: scopesForRole(user.role),
    createdAt: user.createdAt,
    expiresAt: verified.expiresAt,
    rateLimitPerMinute: limit,
  };
  return { viewer, rateLimit: { limit: budget.limit, remaining: budget.remaining, resetAt: budget.resetAt } };
}
