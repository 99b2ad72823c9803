/**
 * API keys: "ml_<prefix>_<secret>". The prefix finds the row and is safe to show; only a sha256 of the whole key
 * is stored (the key carries 256 random bits, so a slow hash adds nothing), compared in constant time.
 * Rate limits live in the database so several stateless API instances share one budget per key.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { API_SCOPES, AppError, type ApiScope } from "@moodlens/shared";
import type { ApiKey } from "./generated/prisma/client";
import type { DbClient } from "./types";
import { badInput } from "./validate";

export const API_KEY_PREFIX = "ml";
const PREFIX_ALPHABET = "abcdefghijkmnopqrstuvwxyz23456789"; // no l/1/0 lookalikes
const PREFIX_LENGTH = 8;
const SECRET_BYTES = 32;
const KEY_PATTERN = /^ml_([a-z2-9]{8})_([A-Za-z0-9_-]{43})$/;
/** lastUsedAt is written at most this often per key, so verification does not write on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;
const RATE_WINDOW_MS = 60_000;

/** A key as listed: everything but the hash. */
export type ApiKeyRecord = Omit<ApiKey, "hash">;

export interface CreateApiKeyInput {
  name: string;
  scopes: readonly ApiScope[];
  expiresAt?: Date | null;
  rateLimitPerMinute?: number | null;
}

export interface CreatedApiKey {
  /** The secret: shown once, never stored. */
  key: string;
  record: ApiKeyRecord;
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");
const strip = ({ hash: _hash, ...record }: ApiKey): ApiKeyRecord => record;

function randomPrefix(): string {
  const bytes = randomBytes(PREFIX_LENGTH);
  return Array.from(bytes, (byte) => PREFIX_ALPHABET[byte % PREFIX_ALPHABET.length]).join("");
}

export async function createApiKey(prisma: DbClient, input: CreateApiKeyInput): Promise<CreatedApiKey> {
  const name = input.name.trim();
  if (!name || name.length > 100) throw badInput("an API key needs a name of 1..100 characters");
  const unknown = input.scopes.filter((scope) => !API_SCOPES.includes(scope));
  if (unknown.length)
    throw badInput(`unknown scopes: ${unknown.join(", ")} (valid: ${API_SCOPES.join(", ")})`);
  if (input.scopes.length === 0)
    throw badInput(`an API key needs at least one scope (${API_SCOPES.join(", ")})`);
  const limit = input.rateLimitPerMinute ?? null;
  if (limit !== null && (!Number.isInteger(limit) || limit < 1))
    throw badInput("rateLimitPerMinute must be a positive integer");
  if (input.expiresAt && Number.isNaN(input.expiresAt.getTime()))
    throw badInput("expiresAt must be a valid date");

  const prefix = randomPrefix();
  const key = `${API_KEY_PREFIX}_${prefix}_${randomBytes(SECRET_BYTES).toString("base64url")}`;
  const row = await prisma.apiKey.create({
    data: {
      name,
      prefix,
      hash: sha256(key),
      scopes: [...new Set(input.scopes)],
      expiresAt: input.expiresAt ?? null,
      rateLimitPerMinute: limit,
    },
  });
  return { key, record: strip(row) };
}

export type ApiKeyRejection = "malformed" | "unknown" | "revoked" | "expired";
export type VerifyApiKeyResult = { key: ApiKeyRecord; reason: null } | { key: null; reason: ApiKeyRejection };

/** Checks a presented key. Wrong, revoked and expired keys give `key: null` and the reason (for logs, not clients). */
export async function verifyApiKey(
  prisma: DbClient,
  secret: string,
  now: Date = new Date(),
): Promise<VerifyApiKeyResult> {
  const match = KEY_PATTERN.exec(secret.trim());
  if (!match) return { key: null, reason: "malformed" };
  const row = await prisma.apiKey.findUnique({ where: { prefix: match[1]! } });
  const presented = Buffer.from(sha256(secret.trim()), "hex");
  // Compare even when the prefix is unknown, so timing does not tell which prefixes exist.
  const stored = Buffer.from(row?.hash ?? "0".repeat(64), "hex");
  const equal = presented.length === stored.length && timingSafeEqual(presented, stored);
  if (!row || !equal) return { key: null, reason: "unknown" };
  if (row.revokedAt && row.revokedAt <= now) return { key: null, reason: "revoked" };
  if (row.expiresAt && row.expiresAt <= now) return { key: null, reason: "expired" };
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    await prisma.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: now } });
    row.lastUsedAt = now;
  }
  return { key: strip(row), reason: null };
}

export async function listApiKeys(
  prisma: DbClient,
  options: { includeRevoked?: boolean } = {},
): Promise<ApiKeyRecord[]> {
  const rows = await prisma.apiKey.findMany({
    where: options.includeRevoked ? {} : { revokedAt: null },
    orderBy: { createdAt: "desc" },
    omit: { hash: true },
  });
  return rows;
}

/** Revokes by id or by prefix (what `apikey list` shows). Revoking twice keeps the first revocation time. */
export async function revokeApiKey(
  prisma: DbClient,
  idOrPrefix: string,
  now: Date = new Date(),
): Promise<ApiKeyRecord> {
  const row = await prisma.apiKey.findFirst({ where: { OR: [{ id: idOrPrefix }, { prefix: idOrPrefix }] } });
  if (!row) throw new AppError("NOT_FOUND", `no API key with id or prefix "${idOrPrefix}"`);
  if (row.revokedAt) return strip(row);
  return strip(await prisma.apiKey.update({ where: { id: row.id }, data: { revokedAt: now } }));
}

export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When the current one-minute window ends. */
  resetAt: Date;
}

/**
 * Counts `units` (default one request; an operation running several analyses counts each) against the key's fixed
 * one-minute window, atomically across API instances (INSERT … ON CONFLICT DO UPDATE … RETURNING). Windows older
 * than ten minutes are pruned as new ones open.
 */
export async function consumeRateLimit(
  prisma: DbClient,
  apiKeyId: string,
  limit: number,
  now: Date = new Date(),
  units = 1,
): Promise<RateLimitResult> {
  if (!Number.isInteger(units) || units < 1) throw badInput("rate limit units must be a positive integer");
  if (!Number.isInteger(limit) || limit < 1) throw badInput("rate limit must be a positive integer");
  const windowStart = new Date(Math.floor(now.getTime() / RATE_WINDOW_MS) * RATE_WINDOW_MS);
  const resetAt = new Date(windowStart.getTime() + RATE_WINDOW_MS);
  const [row] = await prisma.$queryRaw<{ count: number }[]>`
    INSERT INTO rate_limit_window (api_key_id, window_start, count)
    VALUES (${apiKeyId}, ${windowStart.toISOString()}::timestamptz, ${units})
    ON CONFLICT (api_key_id, window_start) DO UPDATE SET count = rate_limit_window.count + ${units}
    RETURNING count`;
  const count = row?.count ?? units;
  if (count === units) {
    const horizon = new Date(windowStart.getTime() - 10 * RATE_WINDOW_MS).toISOString();
    await prisma.$executeRaw`DELETE FROM rate_limit_window WHERE api_key_id = ${apiKeyId} AND window_start < ${horizon}::timestamptz`;
  }
  return { allowed: count <= limit, limit, remaining: Math.max(0, limit - count), resetAt };
}
