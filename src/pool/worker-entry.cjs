// Piscina's entry in each worker thread. It is CommonJS on purpose: Piscina first tries
// require() on its filename, and require() of an ES module (Node >= 20.19) can abort the
// process under module loader hooks. The pool's task module (`workerData.tasks`, a URL) is
// loaded by import() as the worker starts, while the main thread opens the inputs, rather than
// when the first task arrives; each task, posted as `{ name, task }`, runs as `tasks[name]` of
// the module's export `tasks` (its task map, see pool.ts).
'use strict';

const { workerData } = require('node:worker_threads');

// As bin/geopart.js does: Node 22.1+ keeps compiled modules on disk between runs.
require('node:module').enableCompileCache?.();

const tasks = import(workerData.tasks).then((module) => module.tasks);
// A module that fails to load fails each task (awaited below), not the worker.
tasks.catch(() => {});

module.exports = async ({ name, task }) => (await tasks)[name](task);
