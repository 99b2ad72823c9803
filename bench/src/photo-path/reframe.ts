/**
 * `npm run reframe -w @moodlens/bench -- --data <fer-train-root> --out <dir> [--seed N] [--shard i/n] [--limit N]
 * [--backgrounds plain|clutter]`:
 * training crops framed by the served crop rule. Each FER-2013 Training face is enlarged and laid into a synthetic
 * photo exactly as the photo-path check lays PublicTest faces (compose.ts), the photo goes through
 * `analyzer.analyze` (BlazeFace + the crop rule of face-frame.ts), and the crop of the matching detection is written
 * as `<out>/<emotion>/<name>.png`. Training on these next to the originals lets the network see the framing it
 * meets when serving (docs/photo-framing.md). Only synthetic backgrounds (noise, gradients, flat colours) are used:
 * the group photos stay the check's own. Faces already written are skipped, so a killed run continues where it
 * stopped; a face the detector misses is counted and left out. `--link-originals` then adds a relative symbolic link
 * to every original file next to its crops, so that `<out>` is one training tree of both framings (the trainer
 * follows links). The output is scratch data: never commit it.
 */
import { existsSync } from "node:fs";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { basename, dirname, extname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { createFaceAnalyzer, cropFace, decodeImage, preprocessCrop } from "@moodlens/model";
import { DEFAULT_MODEL_DIR } from "../core/paths";
import { ferClassFiles } from "../data/fer";
import { composedPhotos, matchPlaced } from "./check";
import { COMPOSITION, type Composition } from "./compose";

/**
 * Smaller photos than the check's (the detector's cost grows with the photo; the crop rule does not depend on the
 * face's size in pixels), with the check's face rotations, JPEG qualities and faces per photo. `--backgrounds
 * clutter` puts busy synthetic scenes (compose.ts) where the check uses its group photos, which stay the check's own.
 */
export const REFRAME_COMPOSITION: Composition = {
  ...COMPOSITION,
  backgroundKinds: ["gradient", "gradient", "noise", "gradient", "flat"],
  photoWidth: [360, 720],
  photoHeight: [320, 640],
  faceSide: [100, 260],
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: "string" },
      out: { type: "string" },
      model: { type: "string", default: DEFAULT_MODEL_DIR },
      seed: { type: "string", default: "1" },
      shard: { type: "string", default: "0/1" },
      limit: { type: "string" },
      "link-originals": { type: "boolean", default: false },
      backgrounds: { type: "string", default: "plain" },
    },
  });
  if (!values.data || !values.out) throw new Error("--data and --out are required");
  if (values.backgrounds !== "plain" && values.backgrounds !== "clutter")
    throw new Error(`--backgrounds must be plain or clutter, not ${values.backgrounds}`);
  const composition: Composition =
    values.backgrounds === "clutter"
      ? { ...REFRAME_COMPOSITION, backgroundKinds: ["clutter", "clutter", "noise", "gradient", "flat"] }
      : REFRAME_COMPOSITION;
  const [shard, shards] = values.shard.split("/").map(Number) as [number, number];
  const seed = Number(values.seed) * 1000 + shard;
  const items: { path: string; out: string }[] = [];
  for (const { folder, files } of await ferClassFiles(values.data)) {
    for (const file of files)
      items.push({
        path: join(values.data, folder, file),
        out: join(values.out, folder, `${basename(file, extname(file))}.png`),
      });
  }
  if (values["link-originals"]) {
    let linked = 0;
    for (const item of items) {
      const link = join(dirname(item.out), basename(item.path));
      if (existsSync(link)) continue;
      await mkdir(dirname(link), { recursive: true });
      await symlink(relative(dirname(link), item.path), link);
      linked++;
    }
    process.stdout.write(`${JSON.stringify({ linked })}\n`);
    return;
  }
  const todo = items
    .filter((_, index) => index % shards === shard)
    .filter((item) => !existsSync(item.out))
    .slice(0, values.limit ? Number(values.limit) : undefined);
  for (const folder of new Set(items.map((item) => resolve(item.out, ".."))))
    await mkdir(folder, { recursive: true });
  const crops = await Promise.all(todo.map((item) => preprocessCrop(item.path)));
  process.stderr.write(`reframe: ${todo.length} faces to frame (shard ${shard}/${shards}, seed ${seed})\n`);

  const analyzer = await createFaceAnalyzer({ modelDir: values.model, backend: "wasm" });
  const started = Date.now();
  let [photos, written, missed] = [0, 0, 0];
  try {
    for await (const { photo, faces } of composedPhotos(crops, [], seed, composition)) {
      photos++;
      const result = await analyzer.analyze(photo.bytes);
      const image = await decodeImage(photo.bytes);
      const used = new Set<number>();
      for (const [i, placed] of photo.faces.entries()) {
        const match = matchPlaced(result.faces, placed, used);
        if (match < 0) {
          missed++;
          continue;
        }
        used.add(match);
        const crop = await cropFace(image, result.faces[match]!, { margin: analyzer.info.margin });
        const png = await sharp(crop, { raw: { width: 48, height: 48, channels: 1 } })
          .png()
          .toBuffer();
        await writeFile(todo[faces[i]!]!.out, png);
        written++;
      }
      if (photos % 200 === 0) {
        const rate = (written + missed) / ((Date.now() - started) / 1000);
        process.stderr.write(
          `reframe: ${photos} photos, ${written} written, ${missed} missed, ${rate.toFixed(1)} faces/s\n`,
        );
      }
    }
  } finally {
    await analyzer.dispose();
  }
  process.stdout.write(`${JSON.stringify({ shard, shards, seed, photos, written, missed })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `reframe failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
