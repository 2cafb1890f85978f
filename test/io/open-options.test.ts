import { describe, expect, it } from 'vitest';
import { explainGdalWarning, openOptionNames, suggestOptions } from '../../src/io/open-options.js';

const OSM_OPTIONS = `<OpenOptionList>
  <Option name='CONFIG_FILE' type='string' description='Configuration filename.'/>
  <Option name="USE_CUSTOM_INDEXING" type='boolean' default='YES'/>
  <Option name='INTERLEAVED_READING' type='boolean' default='NO'/>
</OpenOptionList>`;

describe('open option warnings', () => {
  it('reads the names a driver declares', () => {
    expect(openOptionNames(OSM_OPTIONS)).toEqual([
      'CONFIG_FILE',
      'USE_CUSTOM_INDEXING',
      'INTERLEAVED_READING',
    ]);
    expect(openOptionNames('')).toEqual([]);
  });

  it('suggests near misses, nearest first, and nothing for a name far from all', () => {
    const names = openOptionNames(OSM_OPTIONS);
    expect(suggestOptions('INTERLEAVED_READNG', names)).toEqual(['INTERLEAVED_READING']);
    expect(suggestOptions('config_file', names)).toEqual(['CONFIG_FILE']);
    expect(suggestOptions('INTERLEAVED', names)).toEqual(['INTERLEAVED_READING']);
    expect(suggestOptions('NOT_AN_OPTION', names)).toEqual([]);
  });

  it("rewrites GDAL's warning with the driver, the option and the list; leaves others alone", () => {
    expect(explainGdalWarning('driver OSM does not support open option CONFIG_FIL', OSM_OPTIONS)).toBe(
      'GDAL driver OSM has no open option CONFIG_FIL, so it was ignored. Did you mean CONFIG_FILE? ' +
        'Its open options are: CONFIG_FILE, USE_CUSTOM_INDEXING, INTERLEAVED_READING.',
    );
    expect(explainGdalWarning('driver ESRI Shapefile does not support open option X', '')).toBe(
      'driver ESRI Shapefile does not support open option X',
    );
    expect(explainGdalWarning('driver GeoJSON does not support open option X', '')).toBe(
      'GDAL driver GeoJSON has no open option X, so it was ignored. It declares no open options.',
    );
    expect(explainGdalWarning('Something else', OSM_OPTIONS)).toBe('Something else');
  });
});
