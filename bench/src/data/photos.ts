import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { GROUP_PHOTOS_DIR } from "../core/paths";

export interface Photo {
  name: string;
  bytes: Buffer;
}

/** Every JPEG in the shared group-photo folder, sorted by name (the same list for every system). */
export async function loadGroupPhotos(dir: string = GROUP_PHOTOS_DIR): Promise<Photo[]> {
  const names = (await readdir(dir)).filter((name) => /\.(jpe?g|png)$/i.test(name)).sort();
  return Promise.all(names.map(async (name) => ({ name, bytes: await readFile(join(dir, name)) })));
}
