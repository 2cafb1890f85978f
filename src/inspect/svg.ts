/**
 * The `inspect` picture as SVG: the density layer embedded as a PNG image (it is a raster by
 * nature), and each chunk box as a vector `<rect>`, grouped per file in the file's colour.
 */
import { hexColour } from './palette.js';
import { layout, type Scene } from './picture.js';
import { encodePng } from './png.js';
import { pixelX, pixelY } from './viewport.js';

/** Smallest drawn side of a box, in pixels: SVG does not render a rect of zero width or height. */
const MIN_SIDE = 1;

/** A coordinate in pixels with two decimals: finer than any screen, and a short file. */
function px(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/**
 * The scene as an SVG document. Every chunk is one `<rect data-file="F" data-chunk="C">`
 * inside `<g data-file="F" stroke="#rrggbb">`, so a reader can pick the boxes of one file.
 * @param width pixels; the height follows the scene box's aspect
 */
export function svgPicture(scene: Scene, width: number): string {
  const l = layout(scene, width);
  const { viewport: v } = l;
  const png = Buffer.from(encodePng(v.width, v.height, l.density)).toString('base64');
  const groups = l.fileIds.map((id, i) => ({ id, colour: hexColour(l.palette, i), rects: [] as string[] }));
  const groupOf = new Map(groups.map((g) => [g.id, g]));
  for (const c of l.order) {
    let x0 = pixelX(v, c.bbox[0]);
    let x1 = pixelX(v, c.bbox[2]);
    let y0 = pixelY(v, c.bbox[3]);
    let y1 = pixelY(v, c.bbox[1]);
    if (x1 - x0 < MIN_SIDE) [x0, x1] = [(x0 + x1 - MIN_SIDE) / 2, (x0 + x1 + MIN_SIDE) / 2];
    if (y1 - y0 < MIN_SIDE) [y0, y1] = [(y0 + y1 - MIN_SIDE) / 2, (y0 + y1 + MIN_SIDE) / 2];
    groupOf
      .get(c.fileId)!
      .rects.push(
        `<rect data-file="${c.fileId}" data-chunk="${c.chunkId}" x="${px(x0)}" y="${px(y0)}" width="${px(x1 - x0)}" height="${px(y1 - y0)}"/>`,
      );
  }
  // Groups are in file order, so boxes of a later file cover those of an earlier one where they
  // touch; within a file, large boxes come first as in the PNG.
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${v.width}" height="${v.height}" viewBox="0 0 ${v.width} ${v.height}">`,
    `<image width="${v.width}" height="${v.height}" style="image-rendering:pixelated" href="data:image/png;base64,${png}"/>`,
    '<g fill="none" stroke-width="1">',
    ...groups.map((g) => `<g data-file="${g.id}" stroke="${g.colour}">\n${g.rects.join('\n')}\n</g>`),
    '</g>',
    '</svg>',
    '',
  ].join('\n');
}
