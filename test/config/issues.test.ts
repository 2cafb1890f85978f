import { expect, test } from 'vitest';
import { camelToSnake, snakeToCamel } from '../../src/config/camel.js';
import { formatPath, joinPath, suggest, unknownFieldMessage } from '../../src/config/issues.js';

test.each([
  [[], ''],
  [['steps', 0, 'partitioning_maximum_per_chunk'], 'steps[0].partitioning_maximum_per_chunk'],
  [['gdal_config', 'open_options', 'A=B'], 'gdal_config.open_options["A=B"]'],
  [['input', 2], 'input[2]'],
  [[0, 'a b', 'c'], '[0]["a b"].c'],
  [['metadata', ''], 'metadata[""]'],
])('formatPath(%j) is %j', (path, text) => {
  expect(formatPath(path)).toBe(text);
});

test.each([
  ['', 'a', 'a'],
  ['steps[0]', 'output', 'steps[0].output'],
  ['steps[0]', '[2]', 'steps[0][2]'],
  ['steps[0]', '', 'steps[0]'],
])('joinPath(%j, %j) is %j', (prefix, sub, text) => {
  expect(joinPath(prefix, sub)).toBe(text);
});

const FIELDS = [
  'partitioning_maximum_per_chunk',
  'partitioning_maximum_per_file',
  'name',
  'input',
  'overwrite',
];

test.each([
  ['partitioning_maximum_per_chunck', 'partitioning_maximum_per_chunk'],
  ['partitioningMaximumPerFile', 'partitioning_maximum_per_file'],
  ['nmae', 'name'],
  ['inpt', 'input'],
  ['overwrites', 'overwrite'],
  ['partitioning_max', 'partitioning_maximum_per_chunk'],
  ['zzz', null],
  ['output', null],
])('suggest(%j) is %j', (given, expected) => {
  expect(suggest(given, FIELDS)).toBe(expected);
});

test('unknownFieldMessage lists the known fields when nothing is close', () => {
  expect(unknownFieldMessage('zzz', ['a', 'b'])).toBe('unknown field "zzz"; known fields are a, b');
  expect(unknownFieldMessage('nmae', ['name'])).toBe('unknown field "nmae"; did you mean "name"?');
});

test.each([
  ['ignoreChunkError', 'ignore_chunk_error'],
  ['partitioningMaximumPerFile', 'partitioning_maximum_per_file'],
  ['diskSizeGb', 'disk_size_gb'],
  ['input', 'input'],
])('camelToSnake(%j) is %j and back', (camel, snake) => {
  expect(camelToSnake(camel)).toBe(snake);
  expect(snakeToCamel(snake)).toBe(camel);
});
