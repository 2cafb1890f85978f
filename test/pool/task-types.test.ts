import { expectTypeOf, test } from 'vitest';
import type {
  IngestTasks,
  ScanTask,
  ScanTaskResult,
  ShuffleTask,
  WriteTask,
  WriteTaskResult,
} from '../../src/ingest/tasks.js';
import type { WorkerPool } from '../../src/pool/pool.js';
import type { TaskArg, TaskResult } from '../../src/pool/task-map.js';
import type { ShuffleIndex } from '../../src/scan/shuffle.js';
import type { UdfInputResult, UdfInputTask } from '../../src/udf/run-input.js';
import type { UdfTasks } from '../../src/udf/tasks.js';

// Checked by `tsc` (the config includes test/): a pool's task names, arguments and results
// come from the task map of its module.
test('a pool is typed by its task map', () => {
  expectTypeOf<keyof IngestTasks>().toEqualTypeOf<'scan' | 'shuffle' | 'write'>();
  expectTypeOf<TaskArg<IngestTasks, 'scan'>>().toEqualTypeOf<ScanTask>();
  expectTypeOf<TaskResult<IngestTasks, 'scan'>>().toEqualTypeOf<ScanTaskResult>();
  expectTypeOf<TaskArg<IngestTasks, 'shuffle'>>().toEqualTypeOf<ShuffleTask>();
  expectTypeOf<TaskResult<IngestTasks, 'shuffle'>>().toEqualTypeOf<ShuffleIndex>();
  expectTypeOf<TaskArg<IngestTasks, 'write'>>().toEqualTypeOf<WriteTask>();
  expectTypeOf<TaskResult<IngestTasks, 'write'>>().toEqualTypeOf<WriteTaskResult>();
  expectTypeOf<keyof UdfTasks>().toEqualTypeOf<'udf'>();
  expectTypeOf<TaskArg<UdfTasks, 'udf'>>().toEqualTypeOf<UdfInputTask>();
  expectTypeOf<TaskResult<UdfTasks, 'udf'>>().toEqualTypeOf<UdfInputResult>();

  type Run = WorkerPool<IngestTasks>['run'];
  expectTypeOf<Parameters<Run>[0]>().toEqualTypeOf<'scan' | 'shuffle' | 'write'>();
});
