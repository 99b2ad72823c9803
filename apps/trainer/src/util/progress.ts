/**
 * A progress bar on stderr with throughput and ETA. On a terminal it redraws one line; in a log file
 * (nohup, CI) it prints a plain line at most every `logIntervalSeconds`, so logs stay readable.
 */
export class ProgressBar {
  private readonly started = Date.now();
  private lastDraw = 0;
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly logIntervalSeconds = 60,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  update(done: number, extra = ""): void {
    const now = Date.now();
    const interval = this.tty ? 250 : this.logIntervalSeconds * 1000;
    if (now - this.lastDraw < interval && done < this.total) return;
    this.lastDraw = now;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? (this.total - done) / rate : Infinity;
    const width = 24;
    const filled = Math.round((done / Math.max(1, this.total)) * width);
    const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
    const line = `${this.label} ${bar} ${done}/${this.total} ${rate.toFixed(1)} img/s ETA ${formatDuration(eta)}${extra ? ` ${extra}` : ""}`;
    if (this.tty) this.stream.write(`\r\x1b[2K${line}`);
    else this.stream.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  }

  done(summary: string): void {
    if (this.tty) this.stream.write(`\r\x1b[2K${summary}\n`);
    else this.stream.write(`${new Date().toISOString().slice(11, 19)} ${summary}\n`);
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--:--";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : `${m}:${String(rest).padStart(2, "0")}`;
}
