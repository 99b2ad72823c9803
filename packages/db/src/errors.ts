/**
 * One place that turns driver, adapter and Prisma failures into AppErrors, so every caller (API resolvers,
 * trainer CLI) can say "database unavailable" with a fix instead of a stack trace.
 */
import { AppError } from "@moodlens/shared";

/** Node socket errors that mean "the server is not there (any more)". */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "EHOSTUNREACH",
]);
/** Prisma error codes for unreachable / timed-out databases and exhausted pools. */
const PRISMA_UNAVAILABLE_CODES = new Set([
  "P1001",
  "P1002",
  "P1003",
  "P1008",
  "P1010",
  "P1011",
  "P1017",
  "P2024",
]);
/** Driver adapter error kinds (driver-adapter-utils MappedError) that mean the database cannot serve us. */
const ADAPTER_UNAVAILABLE_KINDS = new Set([
  "DatabaseNotReachable",
  "DatabaseDoesNotExist",
  "DatabaseAccessDenied",
  "ConnectionClosed",
  "TlsConnectionError",
  "AuthenticationFailed",
  "TooManyConnections",
  "SocketTimeout",
]);
const UNAVAILABLE_MESSAGES = [
  /connection terminated/i,
  /connection (?:is )?closed/i,
  /client has encountered a connection error/i,
  /timeout exceeded when trying to connect/i,
  /PGlite is closed/i,
  /cannot use a pool after calling end/i,
  /client was closed/i,
  /database system is (?:shutting down|starting up)/i,
  /terminating connection/i,
  // Prisma's wording (no code) when pg reports the socket ended under a query.
  /server has closed the connection/i,
  // SQLSTATE 55000 at connect: ALTER DATABASE … ALLOW_CONNECTIONS false (55000 alone also means other things).
  /is not currently accepting connections/i,
];

interface ErrorLike {
  code?: unknown;
  kind?: unknown;
  message?: unknown;
  cause?: unknown;
  name?: unknown;
  errorCode?: unknown;
}

function* causeChain(error: unknown): Generator<ErrorLike> {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current && typeof current === "object"; depth++) {
    yield current as ErrorLike;
    current = (current as ErrorLike).cause;
  }
}

/** PostgreSQL SQLSTATE of the error or one of its causes (pg, PGlite and the adapters all carry it somewhere). */
export function sqlState(error: unknown): string | undefined {
  for (const link of causeChain(error)) {
    const code = link.code ?? (link as { originalCode?: unknown }).originalCode;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith("P")) return code;
    const meta = (link as { meta?: { driverAdapterError?: { cause?: { code?: unknown } } } }).meta;
    const nested = meta?.driverAdapterError?.cause?.code;
    if (typeof nested === "string") return nested;
  }
  return undefined;
}

/** True for a unique violation (SQLSTATE 23505 / Prisma P2002 / adapter UniqueConstraintViolation). */
export function isUniqueViolation(error: unknown): boolean {
  for (const link of causeChain(error)) {
    if (link.code === "P2002" || link.code === "23505" || link.kind === "UniqueConstraintViolation")
      return true;
  }
  return sqlState(error) === "23505";
}

/** True when the error means the database cannot be reached or cannot serve requests right now. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const link of causeChain(error)) {
    if (link instanceof AppError) return link.code === "DATABASE_UNAVAILABLE";
    if (
      typeof link.code === "string" &&
      (NETWORK_CODES.has(link.code) || PRISMA_UNAVAILABLE_CODES.has(link.code))
    )
      return true;
    if (typeof link.errorCode === "string" && PRISMA_UNAVAILABLE_CODES.has(link.errorCode)) return true;
    if (typeof link.kind === "string" && ADAPTER_UNAVAILABLE_KINDS.has(link.kind)) return true;
    if (link.name === "PrismaClientInitializationError") return true;
    if (
      typeof link.message === "string" &&
      UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(link.message as string))
    )
      return true;
  }
  const state = sqlState(error);
  // Class 08: connection exception; 57P0x: server shutting down / cannot connect now; 53300: too many connections.
  return (
    !!state && (state.startsWith("08") || /^57P0[1-3]$/.test(state) || state === "53300" || state === "3D000")
  );
}

/**
 * Maps a failure from a database call: connection problems become AppError DATABASE_UNAVAILABLE (one line, with
 * the fix); AppErrors and every other error are returned unchanged so real bugs keep their stack.
 */
export function toDatabaseError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (!isDatabaseUnavailable(error)) return error;
  return new AppError("DATABASE_UNAVAILABLE", "database unavailable", {
    hint: "check that PostgreSQL is running and DATABASE_URL is right, or unset DATABASE_URL to use the embedded database",
    cause: error,
  });
}

/** Runs a database call and rethrows connection failures as DATABASE_UNAVAILABLE. */
export async function withDatabaseErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toDatabaseError(error);
  }
}
