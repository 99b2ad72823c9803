/**
 * Dashboard users, their sessions and their API budget. better-auth (in the dashboard, @moodlens/auth) signs users
 * in and writes sessions; these functions are the rest: the users CLI creates and manages users (with a password
 * hash made by better-auth's own hasher, passed in), and the API looks a session token up to authorise the user.
 */
import { randomUUID } from "node:crypto";
import { AppError, isUserRole, USER_ROLES, type UserRole } from "@moodlens/shared";
import type { User } from "./generated/prisma/client";
import type { DbClient } from "./types";
import { isUniqueViolation } from "./errors";
import { badInput } from "./validate";

const RATE_WINDOW_MS = 60_000;
/** better-auth's provider id for email + password accounts. */
export const CREDENTIAL_PROVIDER = "credential";
const EMAIL = /^[^\s@]+@[^\s@]+$/;

export type UserRecord = Pick<User, "id" | "email" | "name" | "role" | "disabled" | "createdAt">;

export interface CreateUserInput {
  email: string;
  name?: string | undefined;
  role: UserRole;
  /** From better-auth's hashPassword (scrypt), so the dashboard can verify it. */
  passwordHash: string;
}

const record = ({ id, email, name, role, disabled, createdAt }: User): UserRecord => ({
  id,
  email,
  name,
  role,
  disabled,
  createdAt,
});

/** better-auth stores emails lower-cased; so do we, so sign-in finds CLI-made users. */
export function normaliseEmail(email: string): string {
  const normalised = email.trim().toLowerCase();
  if (!EMAIL.test(normalised)) throw badInput(`"${email}" is not an email address`);
  return normalised;
}

function checkRole(role: string): UserRole {
  if (!isUserRole(role)) throw badInput(`unknown role "${role}"`, { roles: USER_ROLES });
  return role;
}

/** A user with an email + password account, in one transaction. CONFLICT when the email is taken. */
export async function createUser(prisma: DbClient, input: CreateUserInput): Promise<UserRecord> {
  const email = normaliseEmail(input.email);
  const role = checkRole(input.role);
  const id = randomUUID();
  try {
    const [user] = await prisma.$transaction([
      prisma.user.create({ data: { id, email, name: input.name?.trim() || email.split("@")[0]!, role } }),
      prisma.account.create({
        data: { accountId: id, providerId: CREDENTIAL_PROVIDER, userId: id, password: input.passwordHash },
      }),
    ]);
    return record(user);
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AppError("CONFLICT", `a user with the email ${email} already exists`);
    throw error;
  }
}

export async function listUsers(prisma: DbClient): Promise<UserRecord[]> {
  return (await prisma.user.findMany({ orderBy: { createdAt: "asc" } })).map(record);
}

export async function countUsers(prisma: DbClient): Promise<number> {
  return prisma.user.count();
}

async function findUser(prisma: DbClient, email: string): Promise<User> {
  const user = await prisma.user.findUnique({ where: { email: normaliseEmail(email) } });
  if (!user)
    throw new AppError("NOT_FOUND", `no user with the email ${email.trim()}`, {
      hint: "npm run users -- list",
    });
  return user;
}

export async function setUserRole(prisma: DbClient, email: string, role: string): Promise<UserRecord> {
  const checked = checkRole(role);
  const user = await findUser(prisma, email);
  return record(await prisma.user.update({ where: { id: user.id }, data: { role: checked } }));
}

/** Disabling also ends every session of the user at once (the dashboard and the API stop accepting them). */
export async function setUserDisabled(
  prisma: DbClient,
  email: string,
  disabled: boolean,
): Promise<UserRecord> {
  const user = await findUser(prisma, email);
  const updated = await prisma.$transaction(async (tx) => {
    if (disabled) await tx.session.deleteMany({ where: { userId: user.id } });
    return tx.user.update({ where: { id: user.id }, data: { disabled } });
  });
  return record(updated);
}

export type SessionRejection = "unknown" | "expired" | "disabled";

export interface VerifiedSession {
  user: UserRecord | null;
  sessionId: string | null;
  expiresAt: Date | null;
  reason: SessionRejection | null;
}

/** Looks a session token (the random part of the dashboard's cookie) up: the user, or why it is not accepted. */
export async function verifySessionToken(
  prisma: DbClient,
  token: string,
  now: Date = new Date(),
): Promise<VerifiedSession> {
  const session = token
    ? await prisma.session.findUnique({ where: { token }, include: { user: true } })
    : null;
  if (!session) return { user: null, sessionId: null, expiresAt: null, reason: "unknown" };
  const base = { sessionId: session.id, expiresAt: session.expiresAt };
  if (session.expiresAt <= now) return { ...base, user: null, reason: "expired" };
  if (session.user.disabled) return { ...base, user: null, reason: "disabled" };
  return { ...base, user: record(session.user), reason: null };
}

/** Counts one API request against the user's one-minute window (same scheme as consumeRateLimit for keys). */
export async function consumeUserRateLimit(
  prisma: DbClient,
  userId: string,
  limit: number,
  now: Date = new Date(),
) {
  if (!Number.isInteger(limit) || limit < 1) throw badInput("rate limit must be a positive integer");
  const windowStart = new Date(Math.floor(now.getTime() / RATE_WINDOW_MS) * RATE_WINDOW_MS);
  const resetAt = new Date(windowStart.getTime() + RATE_WINDOW_MS);
  const [row] = await prisma.$queryRaw<{ count: number }[]>`
    INSERT INTO user_rate_limit_window (user_id, window_start, count)
    VALUES (${userId}, ${windowStart.toISOString()}::timestamptz, 1)
    ON CONFLICT (user_id, window_start) DO UPDATE SET count = user_rate_limit_window.count + 1
    RETURNING count`;
  const count = row?.count ?? 1;
  if (count === 1) {
    const horizon = new Date(windowStart.getTime() - 10 * RATE_WINDOW_MS).toISOString();
    await prisma.$executeRaw`DELETE FROM user_rate_limit_window WHERE user_id = ${userId} AND window_start < ${horizon}::timestamptz`;
  }
  return { allowed: count <= limit, limit, remaining: Math.max(0, limit - count), resetAt };
}
