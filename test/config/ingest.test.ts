import { describe, expect, test } from 'vitest';
import { GeospatialPartitionJobStepConfig, ingest } from '../../src/config/index.js';
import { expectIssue, got } from './helpers.js';

describe('ingest', () => {
  test('builds an ingestion step with the seed defaults', () => {
    const step = ingest('in.gpkg');
    expect(step).toBeInstanceOf(GeospatialPartitionJobStepConfig);
    expect(step.toJSON()).toEqual(new GeospatialPartitionJobStepConfig({ input: 'in.gpkg' }).toJSON());
    expect(step.output).toBeNull();
  });

  test('takes a list of inputs, an output and camelCase options', () => {
    const step = ingest(['a.gpkg', 'b.gpkg'], 's3://bucket/t', {
      partitioningMethod: 'area',
      partitioningMaximumPerChunk: 5,
      subdivideStart: 1,
      overwrite: true,
      gdalConfig: { layer: 'counties' },
    });
    expect(step.input).toEqual(['a.gpkg', 'b.gpkg']);
    expect(step.output).toBe('s3://bucket/t');
    expect(step.overwrite).toBe(true);
    expect(step.toJSON()).toMatchObject({
      partitioning_method: 'area',
      partitioning_maximum_per_chunk: 5,
      subdivide_start: 1,
      subdivide_stop: 1,
      gdal_config: { layer: 'counties', open_options: {} },
    });
  });

  test('reads the output as setOutput does: a table name or a path/URL', () => {
    expect(ingest('in.gpkg', 'counties').output).toBe('counties');
    expect(ingest('in.gpkg', './out/counties').output).toBe('./out/counties');
    expect(ingest('in.gpkg', null).output).toBeNull();
    expectIssue(() => ingest('in.gpkg', 'my table'), 'output', got('my table'), 'a table name matching');
  });

  test('validates the options like the constructor', () => {
    expectIssue(
      () => ingest('in.gpkg', 'out', { targetNumChunks: 0 }),
      'target_num_chunks',
      got(0),
      'a positive integer',
    );
    expectIssue(() => ingest('', 'out'), 'input', got(''));
    expectIssue(
      () => ingest('in.gpkg', 'out', { subdivideStart: 1, subdivideStop: 2 }),
      'subdivide_stop',
      'must be > 0 and <= subdivide_start',
    );
  });
});
