/**
 * Where better-auth's models live in our schema (packages/db/prisma/schema.prisma, tables auth_*): snake_case
 * columns, as everywhere in the database. Field names are better-auth's; values are our column names.
 */
const timestamps = { createdAt: "created_at", updatedAt: "updated_at" } as const;

export const AUTH_TABLES = {
  user: { modelName: "auth_user", fields: { emailVerified: "email_verified", ...timestamps } },
  session: {
    modelName: "auth_session",
    fields: {
      userId: "user_id",
      expiresAt: "expires_at",
      ipAddress: "ip_address",
      userAgent: "user_agent",
      ...timestamps,
    },
  },
  account: {
    modelName: "auth_account",
    fields: {
      accountId: "account_id",
      providerId: "provider_id",
      userId: "user_id",
      accessToken: "access_token",
      refreshToken: "refresh_token",
      idToken: "id_token",
      accessTokenExpiresAt: "access_token_expires_at",
      refreshTokenExpiresAt: "refresh_token_expires_at",
      ...timestamps,
    },
  },
  verification: { modelName: "auth_verification", fields: { expiresAt: "expires_at", ...timestamps } },
} as const;

/** Cookie names start with this (moodlens.session_token). */
export const COOKIE_PREFIX = "moodlens";
