/** The CLI's log: progress and diagnostics go to stderr, so stdout carries only results (`--json`). */
export const logToStderr = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
