// `npm run bench`: every benchmark (`npm run bench -- startup dkg` for some), one after another, with the machine they ran on.
// Results go to stdout as tables and to bench/results.json; docs/benchmarks.md records them.
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, platform, release } from 'node:os';
import { join } from 'node:path';

const here = import.meta.dirname;
const only = process.argv.slice(2);
const suites = ['startup', 'dkg', 'join', 'reshare', 'sign', 'server', 'action'].filter(
  (s) => !only.length || only.includes(s),
);

const machine = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
  os: `${platform()} ${release()}`,
};
console.log('Machine:', machine);
const results = { machine };
for (const name of suites) {
  const file = join(here, `${name}.js`);
  if (!existsSync(file)) continue;
  console.log(`\n## ${name}`);
  const mod = await import(file);
  const rows = await mod.run();
  console.table(rows);
  results[name] = rows;
}
writeFileSync(join(here, 'results.json'), JSON.stringify(results, null, 2) + '\n');
console.log(`\nWrote ${join(here, 'results.json')}`);
