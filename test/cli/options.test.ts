import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JobConfig, UdfJobStepConfig } from '../../src/config/index.js';
import { ingest } from '../../src/config/ingest.js';
import { MAX_THREADS } from '../../src/config/run-options.js';
import { geopart } from '../helpers/cli.js';
import { dataPath } from '../helpers/data.js';
import { failure, scratch } from '../helpers/outputs.js';

const { root: tmp, place } = scratch('geopart-options-');
const CITIES = dataPath('geoarrow/natural-earth_cities.fgb');
const CASES = fileURLToPath(new URL('../udf/modules/cases.mjs', import.meta.url));

describe('run options are checked once, at the entry, with the same range everywhere', () => {
  it.each(['0', '-1', '1.5', '100000', 'abc', ''])(
    'geopart ingest --threads %j exits 2 and leaves nothing',
    (v) => {
      const root = place();
      const r = geopart(['ingest', CITIES, '-o', 'out', `--threads=${v}`], { cwd: root });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(
        `--threads ${JSON.stringify(v)}: expected a whole number from 1 to ${MAX_THREADS}`,
      );
      expect(r.stderr).not.toContain('internal error');
      expect(readdirSync(root)).toEqual([]);
    },
  );

  it('geopart run --threads 0 exits 2 before the job is read', () => {
    const r = geopart(['run', join(tmp, 'no-such-job.json'), '--threads', '0']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--threads "0": expected a whole number from 1 to 256');
  });

  it('the library refuses the same values, naming the option, before any work', async () => {
    const root = place();
    const output = join(root, 'out');
    for (const threads of [0, -1, 1.5, 100000, Number.NaN]) {
      const err = await failure(ingest(CITIES, output).runLocal({ threads }));
      expect(err.code).toBe('INVALID_CONFIG');
      expect(err.message).toContain(
        `threads: got ${threads}; expected a whole number from 1 to ${MAX_THREADS}`,
      );
    }
    const step = new UdfJobStepConfig({ udf: { module: CASES, name: 'tenfold' }, input: [1], output });
    const job = new JobConfig({ name: 'opts', steps: [step] });
    expect((await failure(job.runLocal({ threads: 257 }))).message).toContain('threads: got 257');
    const timeout = await failure(job.runLocal({ threads: 1, timeoutSeconds: -1 }));
    expect(timeout.message).toContain('timeoutSeconds: got -1; expected a number of seconds in (0, 2147483]');
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(root)).toEqual([]);
    // A value in range runs.
    await expect(job.runLocal({ threads: 2 })).resolves.toMatchObject({ name: 'opts' });
  });

  it('remote usage errors exit 2 before any request', () => {
    for (const args of [
      ['remote', 'bogus'],
      ['remote', 'status'],
      ['remote', 'logs', 'some-job', '--poll', '0'],
      ['remote', 'logs', 'some-job', '--poll', '1e12'],
      ['remote', 'run', join(tmp, 'no-such-job.json'), '--poll', '-1'],
      ['remote', 'status', 'some-job', '--no-such-flag'],
    ]) {
      const r = geopart(args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).not.toContain('internal error');
    }
    const poll = geopart(['remote', 'logs', 'some-job', '--poll', '0']);
    expect(poll.stderr).toContain('--poll "0": expected seconds in (0, 3600]');
  });
});
