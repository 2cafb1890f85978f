// Piscina's entry in each worker thread. It is CommonJS on purpose: Piscina first tries
// require() on its filename, and require() of an ES module (Node >= 20.19) can abort the
// process under module loader hooks. Each task is forwarded to worker.js, loaded by import().
'use strict';

let tasks;
const load = () => {
  tasks ??= import('./worker.js');
  return tasks;
};

module.exports = {
  scan: async (task) => (await load()).scan(task),
  write: async (task) => (await load()).write(task),
  udf: async (task) => (await load()).udf(task),
};
