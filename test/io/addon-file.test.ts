import { describe, expect, it } from 'vitest';
import { GeopartError } from '../../src/errors.js';
import { addonLoader } from '../../src/io/addon-file.js';

describe('addonLoader', () => {
  const url = new URL('file:///opt/geopart/native/build/Release/x.node');
  const hint = 'Build it with `npm run build:native addon`.';

  it('loads once and hands the addon back', () => {
    let loads = 0;
    const addon = { f: () => 1 };
    const load = () => {
      loads++;
      return addon;
    };
    const get = addonLoader<typeof addon>(url, 'test addon', hint, load, ['f']);
    expect(get()).toBe(addon);
    expect(get()).toBe(addon);
    expect(loads).toBe(1);
  });

  it('refuses an addon built from older sources, naming what it lacks and how to rebuild', () => {
    const get = addonLoader(url, 'test addon', hint, () => ({ f: () => 1 }), ['f', 'g', 'h']);
    expect(get).toThrow(GeopartError);
    expect(get).toThrow(
      /\/opt\/geopart\/native\/build\/Release\/x\.node was built from older sources: it has no g, h\. Build it/,
    );
  });

  it('says how to build an addon that does not load', () => {
    const get = addonLoader(url, 'test addon', hint, () => {
      throw new Error('cannot open shared object file');
    });
    expect(get).toThrow(
      /cannot load geopart's test addon .*x\.node: cannot open shared object file\. Build it/,
    );
  });
});
