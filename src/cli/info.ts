import { parseArgs } from 'node:util';
import { GeopartError } from '../errors.js';
import { type DatasetInfo, describeDataset, type LayerInfo } from '../inspect/describe.js';
import { parseKeyValues, parseLayer } from './flags.js';
import { statusLine } from './progress.js';
import { INFO_USAGE } from './usage.js';

function formatExtent(e: LayerInfo['extent']): string {
  if (!e) return '(none)';
  return `(${e[0]}, ${e[1]}) - (${e[2]}, ${e[3]})`;
}

/** Renders a dataset description as text, one block per layer. */
export function formatInfo(info: DatasetInfo): string {
  const lines = [`${info.path} (driver ${info.driver}), ${info.layers.length} layer(s)`];
  for (const [i, l] of info.layers.entries()) {
    lines.push(
      '',
      `Layer ${i + 1}: ${l.name}`,
      `  Geometry:      ${l.geometryType}${l.geometryColumn ? ` (column ${l.geometryColumn})` : ''}`,
      `  Feature count: ${l.featureCount}`,
      `  CRS:           ${l.crs ?? '(none)'}`,
      `  Extent:        ${formatExtent(l.extent)}`,
      `  Fields:        ${l.fields.length === 0 ? '(none)' : ''}`,
      ...l.fields.map((f) => `    ${f.name}: ${f.type}`),
    );
  }
  return lines.join('\n');
}

/** `geopart info`: returns the exit code. */
export async function runInfo(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      layer: { type: 'string' },
      oo: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(INFO_USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new GeopartError(
      'INVALID_ARGUMENT',
      `info takes exactly one INPUT, got ${positionals.length}\n\n${INFO_USAGE}`,
    );
  }
  const info = await describeDataset(positionals[0]!, {
    layer: parseLayer(values.layer),
    openOptions: parseKeyValues(values.oo, '--oo'),
    onWarning: (w) => statusLine().warn(w),
  });
  out(values.json ? JSON.stringify(info, null, 2) : formatInfo(info));
  return 0;
}
