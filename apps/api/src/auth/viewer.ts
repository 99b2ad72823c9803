import type { ApiScope } from "@moodlens/shared";

/** Who is calling: an API key, a signed-in dashboard user, or the local developer (MOODLENS_AUTH=optional). */
export interface ViewerView {
  /** The API key's id; for a signed-in dashboard user "user:<id>". */
  keyId: string;
  /** Set when the caller is a dashboard user (session credential) rather than an API key. */
  userId?: string;
  role?: string;
  name: string;
  scopes: ApiScope[];
  createdAt?: Date | null;
  expiresAt?: Date | null;
  rateLimitPerMinute?: number | null;
}
