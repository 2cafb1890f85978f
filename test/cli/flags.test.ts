import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { flagFields, parserOptions } from '../../src/cli/flags.js';
import { INGEST_FLAGS } from '../../src/cli/ingest-flags.js';
import { INGEST_USAGE } from '../../src/cli/usage.js';

function fields(args: string[]) {
  const { values } = parseArgs({ args, allowPositionals: true, options: parserOptions(INGEST_FLAGS) });
  return flagFields(INGEST_FLAGS, values);
}

describe('the ingest flag table', () => {
  it('lists every flag but --help in the usage text', () => {
    for (const f of INGEST_FLAGS) {
      if (f.flag !== 'help') expect(INGEST_USAGE).toContain(`--${f.flag}`);
    }
  });

  it('maps flags to config fields, leaving unset fields out', () => {
    expect(fields(['in.gpkg', '-o', 'out'])).toEqual({ gdalConfig: { layer: null, openOptions: {} } });
    expect(
      fields([
        'in.csv',
        '--method=area',
        '--max-per-file',
        '10',
        '--max-height-ratio=3',
        '--no-split-identical-centroids',
        '--oo',
        'A=1',
        '--oo',
        'B=2',
        '--layer',
        '2',
        '--lonlat',
        'x, y',
        '--drop-columns',
        'a,b',
        '--explode',
        '--keep-out-of-bounds',
        '--overwrite',
        '--json',
        '--threads',
        '2',
      ]),
    ).toEqual({
      partitioningMethod: 'area',
      partitioningMaximumPerFile: 10,
      partitioningMaxHeightRatio: 3,
      splitIdenticalCentroids: false,
      gdalConfig: { layer: 2, openOptions: { A: '1', B: '2' } },
      lonlatCols: ['x', 'y'],
      removeCols: ['a', 'b'],
      explodeGeometries: true,
      dropOutOfBounds: false,
      overwrite: true,
    });
  });

  it('names the flag whose value does not parse', () => {
    expect(() => fields(['--max-per-chunk', 'x'])).toThrow('--max-per-chunk "x": expected a number');
    expect(() => fields(['--lonlat', 'x'])).toThrow('--lonlat "x": expected LON,LAT');
  });
});
