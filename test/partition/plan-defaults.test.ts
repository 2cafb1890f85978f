import { describe, expect, test } from 'vitest';
import { GeospatialPartitionJobStepConfig } from '../../src/config/index.js';
import { MIN_AXIS_RATIO, PLAN_DEFAULTS } from '../../src/config/plan-defaults.js';
import { GeopartError } from '../../src/errors.js';
import { ingestSettings } from '../../src/ingest/settings.js';
import { resolvePlanOptions } from '../../src/partition/options.js';

describe('plan defaults: one object, validated in config, asserted in the planner', () => {
  test('a step with no plan options gives the planner exactly the defaults', () => {
    const step = new GeospatialPartitionJobStepConfig({ input: 'in.gpkg', output: 'out' });
    const fromConfig = ingestSettings(step).plan;
    expect(fromConfig).toEqual({ ...PLAN_DEFAULTS });
    expect(resolvePlanOptions({})).toEqual(fromConfig);
  });

  test('config and planner agree on the least axis ratio', () => {
    for (const field of ['partitioningMaxWidthRatio', 'partitioningMaxHeightRatio'] as const) {
      expect(
        () => new GeospatialPartitionJobStepConfig({ input: 'in.gpkg', [field]: MIN_AXIS_RATIO }),
      ).not.toThrow();
      expect(() => new GeospatialPartitionJobStepConfig({ input: 'in.gpkg', [field]: 0.5 })).toThrow(
        /finite number >= 1/,
      );
    }
    expect(
      resolvePlanOptions({ maxWidthRatio: MIN_AXIS_RATIO, maxHeightRatio: MIN_AXIS_RATIO }),
    ).toMatchObject({
      maxWidthRatio: 1,
      maxHeightRatio: 1,
    });
    // A value config refuses reaches the planner only through a bug: an internal error, naming the field.
    let caught: unknown;
    try {
      resolvePlanOptions({ maxHeightRatio: 0.5 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(GeopartError);
    expect((caught as GeopartError).code).toBe('INTERNAL');
    expect((caught as GeopartError).message).toMatch(/partitioning_max_height_ratio = 0\.5/);
  });
});
