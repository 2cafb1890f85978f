/**
 * The picture `inspect --image` draws: the density of row centres in greys, and every chunk's
 * box outlined in its file's colour. The PNG is drawn here; svg.ts draws the same scene as vectors.
 */
import { filePalette } from './palette.js';
import { encodePng } from './png.js';
import { densityCounts, renderDensity, strokeBox } from './raster.js';
import { type DegreeBox, fitViewport, type Viewport } from './viewport.js';

/** One chunk's box and the file it belongs to. */
export interface SceneChunk {
  readonly fileId: number;
  readonly chunkId: number;
  /** Degrees. */
  readonly bbox: DegreeBox;
}

/** What a picture shows. */
export interface Scene {
  /** The extent to frame, in degrees. */
  readonly bbox: DegreeBox;
  readonly chunks: readonly SceneChunk[];
  /** Row centres: longitudes and latitudes in degrees, one entry per row. */
  readonly xs: Float64Array;
  readonly ys: Float64Array;
}

/** A scene laid out on pixels, ready to encode. */
export interface Layout {
  readonly viewport: Viewport;
  /** The density layer alone: width * height * 4 bytes of greys. */
  readonly density: Uint8Array;
  /** Distinct file ids, ascending; file id `fileIds[i]` is drawn in palette colour i. */
  readonly fileIds: readonly number[];
  /** 3 bytes of RGB per entry of fileIds. */
  readonly palette: Uint8Array;
  /** Chunks in drawing order: largest box first, so small boxes stay on top and visible. */
  readonly order: readonly SceneChunk[];
}

function boxArea(b: DegreeBox): number {
  return Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
}

/**
 * Lays a scene out on a picture `width` pixels wide.
 * @param width pixels; the height follows the scene box's aspect
 */
export function layout(scene: Scene, width: number): Layout {
  const viewport = fitViewport(scene.bbox, width);
  const density = renderDensity(densityCounts(viewport, scene.xs, scene.ys));
  const fileIds = [...new Set(scene.chunks.map((c) => c.fileId))].sort((a, b) => a - b);
  const order = [...scene.chunks].sort(
    (a, b) => boxArea(b.bbox) - boxArea(a.bbox) || a.fileId - b.fileId || a.chunkId - b.chunkId,
  );
  return { viewport, density, fileIds, palette: filePalette(fileIds.length), order };
}

/**
 * Draws a laid-out scene as RGBA: the density layer with the chunk outlines on top.
 * @returns width * height * 4 bytes
 */
export function paint(l: Layout): Uint8Array {
  const rgba = l.density.slice();
  const colourOf = new Map(l.fileIds.map((id, i) => [id, i]));
  for (const c of l.order) {
    const i = colourOf.get(c.fileId)!;
    strokeBox(rgba, l.viewport, c.bbox, l.palette[3 * i]!, l.palette[3 * i + 1]!, l.palette[3 * i + 2]!);
  }
  return rgba;
}

/**
 * The scene as a PNG file.
 * @param width pixels
 */
export function pngPicture(scene: Scene, width: number): Uint8Array {
  const l = layout(scene, width);
  return encodePng(l.viewport.width, l.viewport.height, paint(l));
}
