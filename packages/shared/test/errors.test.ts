import { afterEach, describe, expect, it, vi } from "vitest";
import { AppError, runCli } from "../src";

describe("runCli", () => {
  const savedExitCode = process.exitCode;
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = savedExitCode;
  });
  const stderrOf = async (main: () => Promise<void | number>, options?: { debug?: boolean }) => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    await runCli(main, options);
    const exitCode = process.exitCode;
    vi.restoreAllMocks();
    return { text: lines.join(""), exitCode };
  };

  it("turns an AppError into one line and its exit code", async () => {
    const { text, exitCode } = await stderrOf(
      async () => {
        throw new AppError("BAD_USER_INPUT", "no such flag", { hint: "see --help" });
      },
      { debug: true },
    );
    expect(text).toBe("error: no such flag (see --help)\n");
    expect(exitCode).toBe(2);
  });

  it("prints an internal error's stack only with debug (MOODLENS_DEBUG, passed in by the entry point)", async () => {
    const fail = async () => {
      throw new Error("boom");
    };
    const saved = process.env.MOODLENS_DEBUG;
    process.env.MOODLENS_DEBUG = "1";
    try {
      const quiet = await stderrOf(fail);
      expect(quiet.text).toBe("error: boom\n");
      expect(quiet.exitCode).toBe(1);
    } finally {
      if (saved === undefined) delete process.env.MOODLENS_DEBUG;
      else process.env.MOODLENS_DEBUG = saved;
    }
    const loud = await stderrOf(fail, { debug: true });
    expect(loud.text).toMatch(/^error: boom\nError: boom\n\s+at /);
    expect(loud.exitCode).toBe(1);
  });

  it("sets the exit code main returns", async () => {
    expect((await stderrOf(async () => 3)).exitCode).toBe(3);
  });
});
