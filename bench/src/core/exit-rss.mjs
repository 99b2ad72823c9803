// Preloaded (--import) into a command the bench runs as a child: writes the process's peak RSS (worker threads
// included) to MOODLENS_BENCH_RSS_FILE when it exits, since Node cannot read a child's rusage.
import { writeFileSync } from "node:fs";

const file = process.env.MOODLENS_BENCH_RSS_FILE;
if (file) process.on("exit", () => writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)));
