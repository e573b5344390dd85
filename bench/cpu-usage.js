// Preloaded into a benchmarked process (node --import): on exit, its CPU time (user + system, ms)
// on stderr, which is less sensitive than wall time to other jobs on a shared machine.
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(`\ncpu-ms ${((user + system) / 1000).toFixed(1)}\n`);
});
