/**
 * Which views of the image the detector looks at. BlazeFace sees 256x256 pixels and finds faces down to ~16 px
 * of that input (measured: 14-16 px ~95 %, 10-12 px ~65 %); a 4000 px photo shrunk to 256 px loses every face under
 * ~250 px. So besides the whole image (letterboxed) we look at overlapping tiles, zooming by at most 2x per level,
 * until faces of `minFaceSize` become detectable. Tiles cost one network run each, so zoom only as far as needed.
 */
export interface DetectionPass {
  /** Region of the original image, in pixels (inside the image, except for the border view). */
  left: number;
  top: number;
  width: number;
  height: number;
  /** Model input pixels per original pixel. */
  scale: number;
  /** 0 = whole image, 1.. = tile levels, coarse to fine. */
  level: number;
  /**
   * Size of the network input for this view (the region, resized by `scale`, sits at its top left; the rest is
   * black). 256x256 for the classic fixed views; with `maxViewSide` the smallest multiples of 32 holding the region.
   */
  inputWidth: number;
  inputHeight: number;
  /**
   * Largest face (input pixels) this pass is responsible for. Bigger faces are a coarser level's job: the coarser
   * view sees them whole and with context, while a zoomed tile mostly adds false boxes on texture (measured).
   */
  maxFaceInput: number;
  /**
   * The border view: the whole image with a margin of edge-replicated pixels on every side (its region starts left
   * of and above the image). Every input pixel outside the image repeats the nearest image pixel, none is black.
   */
  border?: true;
  /**
   * Smallest face (input pixels) this pass reports (default: none beyond the detector's own floor). The border view
   * is there for large faces: smaller ones are the plain views' job, which see them at a higher zoom.
   */
  minFaceInput?: number;
}

export interface PassPlan {
  inputSize: number;
  /** Smallest face (in model input pixels) the network finds reliably. */
  minDetectableInput: number;
  /** Smallest face to find reliably, in original pixels. */
  minFaceSize: number;
  /** Tiles overlap by this fraction of their side, so a face cut by one tile lies whole in a neighbour. */
  overlap: number;
  maxLevels: number;
  /** Never enlarge the image more than this: upscaled pixels hold no new faces. */
  maxUpscale: number;
  /**
   * Largest side of one view in input pixels (a multiple of 32). Default `inputSize`: fixed 256x256 views, every
   * tile resized on its own ("contain"). Larger (engines that take any input size, i.e. the ONNX graph): each level
   * is the whole image resized once by the level's scale and cut into as few views of up to this side as cover it
   * with `overlap * inputSize` pixels of overlap, each padded to multiples of 32 only. Same scales, same faces per
   * level, less network input: no 256x256 letterbox padding and far fewer overlap strips.
   */
  maxViewSide?: number;
  /**
   * One more whole-image view with this share of the image's longer side added on every side as edge-replicated
   * pixels (0 or absent: none). BlazeFace misses or misplaces faces that fill the image or touch its borders (a
   * close-up portrait): in the plain whole-image view they reach the input's edges. Framed by a margin, the face is
   * smaller and has context on all sides (docs/photo-framing.md, "Close-up portraits").
   */
  borderMargin?: number;
}

/** View sides are multiples of the network's coarsest stride, so that every anchor cell is whole. */
export const VIEW_SIDE_MULTIPLE = 32;
const roundUp = (value: number, multiple: number) => Math.ceil(value / multiple) * multiple;

/** Evenly spread tile origins covering `length` with tiles of `side`, neighbours overlapping by >= `overlap`. */
function tileStarts(length: number, side: number, overlap: number): number[] {
  if (length <= side) return [0];
  const count = Math.ceil((length - side) / (side * (1 - overlap))) + 1;
  const step = (length - side) / (count - 1);
  return Array.from({ length: count }, (_, index) => Math.round(index * step));
}

/**
 * Zoom between consecutive levels, at most. A level handles faces of minDetectableInput..overlap*inputSize
 * (16..64 px): 4x of range. 2.5x steps keep faces at the top of a level's range at >= 25 px one level up.
 */
export const MAX_ZOOM_STEP = 2.5;

/** Scales of the tile levels: equal zoom steps (<= MAX_ZOOM_STEP) from the whole-image scale to the scale needed. */
export function tileScales(wholeScale: number, plan: PassPlan): number[] {
  const needed = Math.min(plan.minDetectableInput / Math.max(1, plan.minFaceSize), plan.maxUpscale);
  // 1.05: a zoom of a few percent finds nothing new and would cost a full grid of tiles.
  if (needed <= wholeScale * 1.05 || plan.maxLevels <= 0) return [];
  const levels = Math.min(plan.maxLevels, Math.ceil(Math.log(needed / wholeScale) / Math.log(MAX_ZOOM_STEP)));
  const step = (needed / wholeScale) ** (1 / levels);
  return Array.from({ length: levels }, (_, index) => wholeScale * step ** (index + 1));
}

/**
 * Views along one axis of a level raster of `length` input pixels: as few as possible of up to `maxSide`, neighbours
 * overlapping by >= `overlap`, all of one size (a multiple of 32 unless the raster is smaller) so that they share one
 * input shape.
 */
function viewSpans(
  length: number,
  maxSide: number,
  overlap: number,
): { start: number; size: number; input: number }[] {
  if (length <= maxSide) return [{ start: 0, size: length, input: roundUp(length, VIEW_SIDE_MULTIPLE) }];
  const count = Math.ceil((length - overlap) / (maxSide - overlap));
  const size = Math.min(
    maxSide,
    roundUp(Math.ceil((length + (count - 1) * overlap) / count), VIEW_SIDE_MULTIPLE),
  );
  return Array.from({ length: count }, (_, index) => ({
    start: Math.round((index * (length - size)) / (count - 1)),
    size,
    input: size,
  }));
}

/** Flexible views (see `PassPlan.maxViewSide`): regions in original pixels are the views' raster spans / scale. */
function flexibleLevel(
  width: number,
  height: number,
  scale: number,
  level: number,
  maxFaceInput: number,
  plan: PassPlan,
): DetectionPass[] {
  const maxSide = plan.maxViewSide!;
  const overlap = plan.overlap * plan.inputSize;
  const rasterWidth = Math.max(1, Math.round(width * scale));
  const rasterHeight = Math.max(1, Math.round(height * scale));
  const passes: DetectionPass[] = [];
  for (const y of viewSpans(rasterHeight, maxSide, overlap)) {
    for (const x of viewSpans(rasterWidth, maxSide, overlap)) {
      passes.push({
        left: x.start / scale,
        top: y.start / scale,
        width: x.size / scale,
        height: y.size / scale,
        scale,
        level,
        maxFaceInput,
        inputWidth: x.input,
        inputHeight: y.input,
      });
    }
  }
  return passes;
}

/**
 * Smallest face the border view reports, as a share of the image's longer side. Its faces are the large ones that
 * fill or touch the image's borders; below this the plain views do better (one false box on 2008_004176.jpg, score
 * 0.63, at 0.1 of the longer side).
 */
export const BORDER_VIEW_MIN_FACE = 0.25;

/**
 * The border view (`PassPlan.borderMargin`): the image plus `margin` of its longer side on every side, resized so
 * that the longer side of the whole fits `inputSize`. Level 0, for faces from BORDER_VIEW_MIN_FACE of the longer
 * side up; fixed views are inputSize square, flexible ones the smallest multiples of 32 holding the region.
 */
export function borderPass(width: number, height: number, plan: PassPlan, margin: number): DetectionPass {
  const pad = margin * Math.max(width, height);
  const scale = plan.inputSize / (Math.max(width, height) + 2 * pad);
  const flexible = plan.maxViewSide !== undefined && plan.maxViewSide > plan.inputSize;
  return {
    left: -pad,
    top: -pad,
    width: width + 2 * pad,
    height: height + 2 * pad,
    scale,
    level: 0,
    maxFaceInput: Number.POSITIVE_INFINITY,
    minFaceInput: BORDER_VIEW_MIN_FACE * Math.max(width, height) * scale,
    inputWidth: flexible
      ? roundUp(Math.round((width + 2 * pad) * scale), VIEW_SIDE_MULTIPLE)
      : plan.inputSize,
    inputHeight: flexible
      ? roundUp(Math.round((height + 2 * pad) * scale), VIEW_SIDE_MULTIPLE)
      : plan.inputSize,
    border: true,
  };
}

export function planPasses(width: number, height: number, plan: PassPlan): DetectionPass[] {
  const border =
    plan.borderMargin !== undefined && plan.borderMargin > 0
      ? [borderPass(width, height, plan, plan.borderMargin)]
      : [];
  return [...imagePasses(width, height, plan), ...border];
}

/** The whole image and the tile levels. */
function imagePasses(width: number, height: number, plan: PassPlan): DetectionPass[] {
  const wholeScale = plan.inputSize / Math.max(width, height);
  const maxFaceInput = plan.overlap * plan.inputSize;
  if (plan.maxViewSide !== undefined && plan.maxViewSide > plan.inputSize) {
    return [
      ...flexibleLevel(width, height, wholeScale, 0, Number.POSITIVE_INFINITY, plan),
      ...tileScales(wholeScale, plan).flatMap((scale, index) =>
        flexibleLevel(width, height, scale, index + 1, maxFaceInput, plan),
      ),
    ];
  }
  const input = { inputWidth: plan.inputSize, inputHeight: plan.inputSize };
  const passes: DetectionPass[] = [
    {
      left: 0,
      top: 0,
      width,
      height,
      scale: wholeScale,
      level: 0,
      maxFaceInput: Number.POSITIVE_INFINITY,
      ...input,
    },
  ];
  tileScales(wholeScale, plan).forEach((scale, index) => {
    const side = Math.floor(plan.inputSize / scale);
    for (const top of tileStarts(height, side, plan.overlap)) {
      for (const left of tileStarts(width, side, plan.overlap)) {
        const tileWidth = Math.min(side, width - left);
        const tileHeight = Math.min(side, height - top);
        // The scale "contain" resizing applies (the long side of a tile is always `side`).
        const tileScale = plan.inputSize / Math.max(tileWidth, tileHeight);
        passes.push({
          left,
          top,
          width: tileWidth,
          height: tileHeight,
          scale: tileScale,
          level: index + 1,
          maxFaceInput,
          ...input,
        });
      }
    }
  });
  return passes;
}
