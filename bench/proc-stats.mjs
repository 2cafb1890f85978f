/**
 * Preloaded with `node --import` by measureNode (bench/lib.ts): as the process exits, writes
 * its own peak RSS (VmHWM of /proc/self/status) and bytes read (`rchar` of /proc/self/io) to
 * the file named by GEOPART_BENCH_STATS. Both cover every thread of the process, worker
 * threads included (ended threads' reads are added to the process's count).
 */
import { readFileSync, writeFileSync } from 'node:fs';

const out = process.env.GEOPART_BENCH_STATS;
if (out) {
  process.on('exit', () => {
    const io = readFileSync('/proc/self/io', 'utf8');
    const status = readFileSync('/proc/self/status', 'utf8');
    const vmHwmKb = Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    const rchar = Number(/^rchar:\s+(\d+)/m.exec(io)?.[1]);
    writeFileSync(out, JSON.stringify({ vmHwmKb, rchar }));
  });
}
