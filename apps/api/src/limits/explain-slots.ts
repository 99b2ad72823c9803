/**
 * Saliency maps (explain: true) cost a gradient pass per face, many times an analysis: an instance runs at most
 * MOODLENS_MAX_CONCURRENT_EXPLAIN of them at once and answers the next one RATE_LIMITED (retry in a second) rather
 * than queueing work that would hold the CPU for everyone else.
 */
import { AppError } from "@moodlens/shared";
import type { ApiRuntime } from "../runtime";

const running = new WeakMap<ApiRuntime, number>();

export function acquireExplainSlot(runtime: ApiRuntime): { release(): void } {
  const max = runtime.config.limits.maxConcurrentExplain;
  const now = running.get(runtime) ?? 0;
  if (now >= max) {
    throw new AppError("RATE_LIMITED", `explain analyses are limited to ${max} at a time on this instance`, {
      details: { maxConcurrentExplain: max, retryAfterSeconds: 1 },
      hint: "retry in a second, or analyse without explain",
    });
  }
  running.set(runtime, now + 1);
  let released = false;
  return {
    release: () => {
      if (released) return;
      released = true;
      running.set(runtime, (running.get(runtime) ?? 1) - 1);
    },
  };
}
