import type { ImportedSamples } from "./types";
import { AppError } from "@moodlens/shared";

/** Placeholder until @moodlens/model's detector lands (replaced below in this session). */
export async function importPhotoTree(
  root: string,
  _options: { requireTrainable?: boolean; log?: (line: string) => void } = {},
): Promise<ImportedSamples> {
  throw new AppError("INTERNAL", `photo import of ${root} needs the face detector`);
}
