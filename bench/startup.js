// Start-up benchmark (issue 12, item 8): the median wall time of every CLI command's `--help`
// (the bundle's commander part, lib/bundle/cli.js, as every command loads it), of a few real but
// cheap invocations over the golden transcript, beside `node -e 0` (Node's own start-up, the
// floor); and trust-server's spawned calls (bench/server.js, beside its own floor). The target is
// at most 100 ms for every command on this machine. Each row also gives the median CPU time (user
// + system), which a loaded machine inflates less; the load average is reported. Run alone:
// `node bench/startup.js [runs]` (after `npm run build`: bin/sss-tool.js runs lib/bundle/).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { childCpuOf } from './child-cpu.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'sss-tool.js');
const GOLDEN = join(ROOT, 'test', 'golden', 'transcript');
const TARGET_MS = 100;

/** One run: wall time and the process's CPU time (user + system, ms; null off Linux). */
function measure(args) {
  const t0 = performance.now();
  const { result: r, cpuMs } = childCpuOf(() => spawnSync(process.execPath, args, { encoding: 'utf8' }));
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { wall, cpuMs };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The command names, from the CLI's own help (so a new command is measured without an edit here). */
function commands() {
  const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' }).stdout;
  const section = help.slice(help.indexOf('Commands:'));
  return [...section.matchAll(/^ {2}([a-z][a-z0-9-]*)/gm)].map((m) => m[1]).filter((c) => c !== 'help');
}

/** trust-server's spawned calls, from bench/server.js, each beside that benchmark's own floor. */
async function serverRows(runs) {
  const rows = await (await import('./server.js')).run(runs);
  const floor = rows.find((r) => r.name === 'spawned: node -e 0');
  return rows
    .filter((r) => r.name.startsWith('spawned: ') || r.name.startsWith('load average'))
    .map((r) =>
      r === floor || typeof r.ms !== 'number'
        ? { what: `server bench: ${r.name.replace('spawned: ', '')} ${r.ms}${r === floor ? ' ms (its floor)' : ''}` }
        : {
            what: `server: ${r.name.replace('spawned: ', '')}`,
            medianMs: Math.round(r.ms),
            medianCpuMs: r.cpuMs === undefined ? null : Math.round(r.cpuMs),
            overFloorMs: Math.round(r.ms - floor.ms),
            withinTarget: r.ms <= TARGET_MS,
          },
    );
}

export async function run({
  runs = Number(process.env.BENCH_STARTUP_RUNS ?? 9),
  server = process.env.BENCH_STARTUP_SERVER !== '0',
  log = console.error,
} = {}) {
  const empty = mkdtempSync(join(tmpdir(), 'sss-bench-startup-'));
  try {
    const signature = spawnSync('cat', [join(GOLDEN, 'signing', 'signature.txt')], { encoding: 'utf8' }).stdout.trim();
    const cases = [
      { what: 'node -e 0 (floor)', args: ['-e', '0'] },
      { what: 'sss-tool --version', args: [BIN, '--version'] },
      ...commands().map((c) => ({ what: `sss-tool ${c} --help`, args: [BIN, c, '--help'] })),
      { what: 'sss-tool status (empty repository)', args: [BIN, 'status', '--repo', empty] },
      { what: 'sss-tool status (golden transcript)', args: [BIN, 'status', '--repo', GOLDEN] },
      {
        what: 'sss-tool verify-signature (golden)',
        args: [
          BIN,
          'verify-signature',
          '--signature',
          signature,
          '--message-file',
          join(GOLDEN, 'signing', 'message.txt'),
          '--repo',
          GOLDEN,
        ],
      },
      {
        what: 'sss-tool verify --ceremony genesis (golden, 2-of-3)',
        args: [BIN, 'verify', '--ceremony', 'genesis', '--repo', GOLDEN],
      },
    ];
    log(`start-up: ${cases.length} cases × ${runs} runs…`);
    const before = loadavg()[0];
    // One warm-up of each, so the file cache is equally warm for all.
    for (const c of cases) measure(c.args);
    // Interleaved (every case once per round), so a change in the machine's load hits every row alike.
    const samples = cases.map(() => []);
    for (let i = 0; i < runs; i++) cases.forEach((c, j) => samples[j].push(measure(c.args)));
    const rows = cases.map((c, j) => {
      const m = samples[j];
      const cpu = m.every((x) => x.cpuMs !== null) ? Math.round(median(m.map((x) => x.cpuMs))) : null;
      return { what: c.what, medianMs: Math.round(median(m.map((x) => x.wall))), medianCpuMs: cpu };
    });
    const floor = rows[0];
    for (const r of rows.slice(1)) {
      r.overFloorMs = r.medianMs - floor.medianMs;
      r.withinTarget = r.medianMs <= TARGET_MS;
    }
    rows.push({ what: `load average (1 min) before / after: ${before.toFixed(2)} / ${loadavg()[0].toFixed(2)}` });
    if (server) rows.push(...(await serverRows(runs)));
    return rows;
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runs = Number(process.argv[2]) || undefined;
  console.table(await run(runs ? { runs } : {}));
}
