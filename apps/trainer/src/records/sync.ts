/** Placeholder until @moodlens/db's run API lands (filled in this session). */
export async function syncRunToDatabase(runDirectory: string): Promise<void> {
  throw new Error(`database records are not wired yet (${runDirectory} keeps its local journal)`);
}
