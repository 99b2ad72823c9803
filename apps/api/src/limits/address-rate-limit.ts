/**
 * Requests without credentials have no key to count against, so they are counted per client address, in this
 * instance's memory (fixed one-minute windows, like the keys' windows in the database). Each instance limits on its
 * own: N instances let an address through N times the limit, which still bounds what one address can cost.
 */
const WINDOW_MS = 60_000;
/** Addresses remembered at most; the oldest windows are dropped first (a flood of addresses cannot grow memory). */
const MAX_ADDRESSES = 50_000;

type Windows = Map<string, { start: number; count: number }>;
/** One table per API instance (keyed by its runtime), so two servers in one process count separately. */
const tables = new WeakMap<object, Windows>();

export interface AddressBudget {
  allowed: boolean;
  limit: number;
  resetAt: Date;
}

export function chargeAddress(
  instance: object,
  address: string,
  limit: number,
  units = 1,
  now = Date.now(),
): AddressBudget {
  let windows = tables.get(instance);
  if (!windows) tables.set(instance, (windows = new Map()));
  const start = Math.floor(now / WINDOW_MS) * WINDOW_MS;
  let window = windows.get(address);
  if (!window || window.start !== start) {
    windows.delete(address);
    if (windows.size >= MAX_ADDRESSES) windows.delete(windows.keys().next().value!);
    window = { start, count: 0 };
    windows.set(address, window);
  }
  window.count += units;
  return { allowed: window.count <= limit, limit, resetAt: new Date(start + WINDOW_MS) };
}
