import { describe, expect, test } from 'vitest';
import { GDALOpenConfig } from '../../src/config/index.js';
import { expectIssue, got } from './helpers.js';

const OPTIONS = 'expected an object of GDAL open options, {"NAME": "value"}';
const VALUE = 'expected an option value: a string, a finite number or a boolean';
const LAYER =
  'expected a layer name (non-empty string), a layer index (integer >= 0), or null for the only layer';

describe('open_options', () => {
  test('defaults to {}', () => {
    expect(new GDALOpenConfig().openOptions).toEqual({});
    expect(new GDALOpenConfig({ layer: 'x' }).toJSON().open_options).toEqual({});
    expect(GDALOpenConfig.fromJSON({}).openOptions).toEqual({});
  });

  test('keeps string values as given', () => {
    const options = { HEADERS: 'YES', X_POSSIBLE_NAMES: 'lon*', EMPTY: '' };
    expect(new GDALOpenConfig({ openOptions: options }).openOptions).toEqual(options);
    expect(GDALOpenConfig.fromJSON({ open_options: options }).toJSON().open_options).toEqual(options);
  });

  test('stores numbers as their text and booleans as YES/NO, as GDAL reads them', () => {
    const config = GDALOpenConfig.fromJSON({
      open_options: {
        AUTODETECT_SIZE_LIMIT: 1000,
        RATIO: 0.5,
        EMPTY_STRING_AS_NULL: true,
        KEEP_GEOM_COLUMNS: false,
      },
    });
    expect(config.openOptions).toEqual({
      AUTODETECT_SIZE_LIMIT: '1000',
      RATIO: '0.5',
      EMPTY_STRING_AS_NULL: 'YES',
      KEEP_GEOM_COLUMNS: 'NO',
    });
    expect(GDALOpenConfig.fromJSON(config.toJSON()).toJSON()).toEqual(config.toJSON());
  });

  test.each([
    ['a string', 'HEADERS=YES', '', [got('HEADERS=YES'), OPTIONS]],
    ['an array', ['HEADERS=YES'], '', [OPTIONS]],
    [
      'a name with "="',
      { 'A=B': 'x' },
      '["A=B"]',
      [`got the option name "A=B"`, 'a non-empty name without "="'],
    ],
    ['an empty name', { '': 'x' }, '[""]', ['got the option name ""', 'without "="']],
    ['a null value', { A: null }, '.A', [got(null), VALUE]],
    ['an object value', { A: { b: 1 } }, '.A', [got({ b: 1 }), VALUE]],
    ['an infinite value', { A: Number.POSITIVE_INFINITY }, '.A', ['got Infinity', VALUE]],
    ['a NUL in a value', { A: 'x\u0000y' }, '.A', [VALUE]],
  ])('refuses %s', (_what, value, subpath, says) => {
    expectIssue(() => GDALOpenConfig.fromJSON({ open_options: value }), `open_options${subpath}`, ...says);
    expectIssue(
      () => new GDALOpenConfig({ openOptions: value as never }),
      `open_options${subpath}`,
      ...(says as string[]),
    );
  });

  test('refuses two spellings of one option (GDAL ignores case)', () => {
    expectIssue(
      () => new GDALOpenConfig({ openOptions: { headers: 'YES', HEADERS: 'NO' } }),
      'open_options.HEADERS',
      'names the same GDAL option as "headers"',
    );
  });
});

describe('layer', () => {
  test('defaults to null (the only layer)', () => {
    expect(new GDALOpenConfig().layer).toBeNull();
    expect(GDALOpenConfig.fromJSON({}).toJSON().layer).toBeNull();
  });

  test.each(['roads', 'layer with spaces', 0, 3, null])('accepts %j', (layer) => {
    expect(new GDALOpenConfig({ layer }).layer).toBe(layer);
    expect(GDALOpenConfig.fromJSON({ layer }).toJSON().layer).toBe(layer);
  });

  test.each([-1, 1.5, '', true, { name: 'x' }])('refuses %j', (layer) => {
    expectIssue(() => new GDALOpenConfig({ layer: layer as never }), 'layer', LAYER);
    expectIssue(() => GDALOpenConfig.fromJSON({ layer }, 'gdal_config'), 'gdal_config.layer', LAYER);
  });
});

test('unknown fields are refused with a suggestion', () => {
  expectIssue(
    () => GDALOpenConfig.fromJSON({ open_option: {} }),
    '',
    'unknown field "open_option"',
    'did you mean "open_options"?',
  );
  expectIssue(() => new GDALOpenConfig({ openOption: {} } as never), '', 'did you mean "open_options"?');
});

test('is fully immutable', () => {
  const config = new GDALOpenConfig({ openOptions: { A: 'b' }, layer: 'x' });
  expect(Object.isFrozen(config)).toBe(true);
  expect(() => {
    (config.openOptions as Record<string, string>).A = 'c';
  }).toThrow(TypeError);
  expect(() => {
    (config as { layer: unknown }).layer = 1;
  }).toThrow(TypeError);
  expect(config.toJSON()).toEqual({ open_options: { A: 'b' }, layer: 'x' });
});
