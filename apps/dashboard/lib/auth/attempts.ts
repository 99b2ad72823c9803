/**
 * Failed sign-ins per email and per client address, in this server's memory: after MAX_FAILURES within the window
 * further attempts are refused until it passes, so a password cannot be guessed at speed. (One dashboard process
 * per deployment today; several would each count their own.)
 */
export const MAX_FAILURES = 10;
export const WINDOW_MS = 15 * 60_000;

export class SignInAttempts {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly max = MAX_FAILURES,
    private readonly windowMs = WINDOW_MS,
  ) {}

  private recent(key: string, now: number): number[] {
    const kept = (this.failures.get(key) ?? []).filter((at) => now - at < this.windowMs);
    if (kept.length) this.failures.set(key, kept);
    else this.failures.delete(key);
    return kept;
  }

  /** Seconds until another attempt is allowed for any of the keys, or 0. */
  retryAfterSeconds(keys: readonly string[], now = Date.now()): number {
    let wait = 0;
    for (const key of keys) {
      const recent = this.recent(key, now);
      if (recent.length >= this.max)
        wait = Math.max(wait, Math.ceil((recent[0]! + this.windowMs - now) / 1000));
    }
    return wait;
  }

  fail(keys: readonly string[], now = Date.now()): void {
    for (const key of keys) this.failures.set(key, [...this.recent(key, now), now]);
  }

  succeed(keys: readonly string[]): void {
    for (const key of keys) this.failures.delete(key);
  }
}

export const signInAttempts = new SignInAttempts();
