import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { GeopartError } from '../errors.js';
import { formatSummary } from '../inspect/format-summary.js';
import { pngPicture } from '../inspect/picture.js';
import { summarize } from '../inspect/summary.js';
import { svgPicture } from '../inspect/svg.js';
import { tableScene } from '../inspect/table-scene.js';
import { fitViewport } from '../inspect/viewport.js';
import { checkImageTarget, writeImageFile } from '../inspect/write-image.js';
import { openTable } from '../read/open-table.js';
import { INSPECT_USAGE } from './usage.js';

/** Default picture width, in pixels. */
const DEFAULT_WIDTH = 1024;

/** Largest picture width, in pixels: beyond it the RGBA buffer alone passes 100 MB at 4:1 aspect. */
const MAX_WIDTH = 8192;

function widthFlag(value: string | undefined): number {
  if (value === undefined) return DEFAULT_WIDTH;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 17 || n > MAX_WIDTH) {
    throw new GeopartError(
      'INVALID_ARGUMENT',
      `--width ${JSON.stringify(value)}: expected a whole number of pixels from 17 to ${MAX_WIDTH}`,
      { option: '--width' },
    );
  }
  return n;
}

function imageFormat(path: string): 'png' | 'svg' {
  const ext = extname(path).toLowerCase();
  if (ext === '.png' || ext === '.svg') return ext.slice(1) as 'png' | 'svg';
  throw new GeopartError(
    'INVALID_ARGUMENT',
    `--image ${JSON.stringify(path)}: the file name must end in .png or .svg, which picks the format`,
    { option: '--image' },
  );
}

/** `geopart inspect`: returns the exit code. */
export async function runInspect(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      image: { type: 'string' },
      width: { type: 'string' },
      overwrite: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(INSPECT_USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new GeopartError(
      'INVALID_ARGUMENT',
      `inspect takes exactly one table OUT, got ${positionals.length}\n\n${INSPECT_USAGE}`,
    );
  }
  const width = widthFlag(values.width);
  const image = values.image;
  const format = image === undefined ? null : imageFormat(image);
  if (image === undefined && values.width !== undefined) {
    throw new GeopartError(
      'INVALID_ARGUMENT',
      '--width sets the size of the picture: use it with --image F',
      {
        option: '--width',
      },
    );
  }

  // Refuse before reading every row's box, not after.
  if (image !== undefined) checkImageTarget(image, values.overwrite);

  const table = await openTable(positionals[0]!);
  try {
    const summary = summarize(table);
    let drawn: { path: string; width: number; height: number } | null = null;
    if (image !== undefined) {
      const scene = await tableScene(table);
      const data = format === 'svg' ? svgPicture(scene, width) : pngPicture(scene, width);
      await writeImageFile(image, data, values.overwrite);
      const v = fitViewport(scene.bbox, width);
      drawn = { path: image, width: v.width, height: v.height };
    }
    if (values.json) out(JSON.stringify(drawn ? { ...summary, image: drawn } : summary, null, 2));
    else {
      out(formatSummary(summary));
      if (drawn) {
        out(
          `wrote ${drawn.path} (${drawn.width} x ${drawn.height} px): rows' density in greys, chunk boxes coloured by file`,
        );
      }
    }
    return 0;
  } finally {
    await table.close();
  }
}
