/**
 * One error type for the whole platform. Packages throw `AppError` with a code; the API maps codes to
 * GraphQL error codes in one place and the CLIs map them to exit codes and one-line messages in one place.
 */
export const ERROR_CODES = [
  "BAD_USER_INPUT",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "PAYLOAD_TOO_LARGE",
  "RATE_LIMITED",
  "UNSUPPORTED_IMAGE",
  "NO_FACE",
  "MODEL_INVALID",
  "MODEL_NOT_TRAINED",
  "CONFIG_INVALID",
  "DATABASE_UNAVAILABLE",
  "DATASET_INVALID",
  "INTERNAL",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppErrorOptions {
  /** Extra, non-secret facts a client may show (limits, field names, hints). */
  details?: Record<string, unknown>;
  /** What to do about it, in one line. */
  hint?: string;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.details = options.details;
    this.hint = options.hint;
  }

  /** One line for a terminal: the message and, when known, the fix. */
  toLine(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message;
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;

/** Exit codes used by every CLI, so scripts can tell input problems from outages. */
export const EXIT_CODES: Readonly<Record<ErrorCode, number>> = {
  BAD_USER_INPUT: 2,
  CONFIG_INVALID: 2,
  DATASET_INVALID: 2,
  UNSUPPORTED_IMAGE: 2,
  NO_FACE: 2,
  NOT_FOUND: 3,
  CONFLICT: 3,
  UNAUTHENTICATED: 4,
  FORBIDDEN: 4,
  PAYLOAD_TOO_LARGE: 2,
  RATE_LIMITED: 5,
  MODEL_INVALID: 6,
  MODEL_NOT_TRAINED: 6,
  DATABASE_UNAVAILABLE: 7,
  INTERNAL: 1,
};

export interface RunCliOptions {
  /** Print the stack of an internal error (MOODLENS_DEBUG, read by the app's env.ts or the entry point). */
  debug?: boolean;
}

/**
 * Runs a CLI's main function: an AppError becomes one line on stderr and its exit code;
 * anything else is an internal error with the stack only when `debug` is on.
 */
export async function runCli(main: () => Promise<void | number>, options: RunCliOptions = {}): Promise<void> {
  try {
    const code = await main();
    process.exitCode = typeof code === "number" ? code : 0;
  } catch (error) {
    if (isAppError(error)) {
      process.stderr.write(`error: ${error.toLine()}\n`);
      process.exitCode = EXIT_CODES[error.code];
    } else {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`error: ${message}\n`);
      if (options.debug && error instanceof Error) process.stderr.write(`${error.stack}\n`);
      process.exitCode = 1;
    }
  }
}
