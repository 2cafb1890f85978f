import { expectTypeOf, test } from 'vitest';
import type {
  GDALOpenInit,
  GdalOpenJson,
  GeospatialPartitionInit,
  GeospatialStepJson,
  JobInit,
  JobJson,
  UdfStepInit,
  UdfStepJson,
} from '../../src/config/index.js';

/** `partitioning_maximum_per_file` -> `partitioningMaximumPerFile`, at the type level. */
type Camel<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<Camel<Tail>>}`
  : S;
type CamelKeys<T> = Camel<Exclude<keyof T, 'type'> & string>;

// Checked by `tsc` (the config includes test/): every JSON field has exactly one camelCase option.
test('camelCase options and seed JSON fields name the same fields', () => {
  expectTypeOf<keyof GeospatialPartitionInit>().toEqualTypeOf<CamelKeys<GeospatialStepJson>>();
  expectTypeOf<keyof UdfStepInit>().toEqualTypeOf<CamelKeys<UdfStepJson>>();
  expectTypeOf<keyof GDALOpenInit>().toEqualTypeOf<CamelKeys<GdalOpenJson>>();
  expectTypeOf<keyof JobInit>().toEqualTypeOf<CamelKeys<JobJson>>();
});
