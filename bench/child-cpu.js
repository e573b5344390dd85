// CPU time of finished child processes, for benchmarks that spawn the CLI: on a shared machine the
// wall time of a command depends on the load, its CPU time much less. Linux only (/proc), in
// clock ticks (10 ms at the usual 100 Hz); elsewhere null.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

// Asked once, at load: getconf is itself a child, and must not count towards a measurement.
const tickMs = (() => {
  try {
    return 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  } catch {
    return 10;
  }
})();

/** Total user + system CPU (ms) of every child this process has waited for, or null. */
export function childrenCpuMs() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may hold spaces) start with field 3, "state".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cutime = Number(fields[16 - 3]);
    const cstime = Number(fields[17 - 3]);
    return (cutime + cstime) * tickMs;
  } catch {
    return null;
  }
}

/** Runs f (which spawns and waits) and returns the CPU its children used, in ms, or null. */
export function childCpuOf(f) {
  const before = childrenCpuMs();
  const result = f();
  const after = childrenCpuMs();
  return { result, cpuMs: before === null || after === null ? null : Math.round(after - before) };
}
