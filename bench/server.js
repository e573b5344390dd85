// trust-server's spawned calls (issue 10): the wall time of one `sss-tool info`, `get-nonce` and
// `sign` process, as trust-server spawns them per request, beside `node -e 0` (Node's own start-up).
// A 3-of-4 dealer-made group; each holder's share installed with `install` (age X25519, the
// default protection). `sign (first)` adds the first share; `sign (last)` verifies the two it
// receives, adds its own, aggregates and checks the signature. Medians of interleaved runs, so a
// change in the machine's load hits every row alike; the CPU time (user + system) of each process
// too, which a loaded machine inflates less. For scale, the commander program's start-up
// (`sss-tool --version`), which these calls skip. Also the library's in-process calls.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { openTrustServerSigner } from '../lib/index.js';
import { installServerShare } from '../lib/server/install.js';
import { serverPaths } from '../lib/server/install-files.js';
import { BIN, dealtGroup, inTempDir, median } from './support.js';
const round1 = (x) => Number(x.toFixed(1));

async function installGroup(root) {
  const { shares } = dealtGroup(4, 3, { prefix: 'signer', width: 2 });
  const groupText = JSON.stringify({
    ...shares[0].group,
    participants: shares.map((s) => ({ moniker: s.moniker, identifier: s.identifier })),
  });
  const holders = [];
  for (const share of shares.slice(0, 3)) {
    const dir = join(root, share.moniker);
    const keyFile = join(root, `${share.moniker}.key`);
    await installServerShare({
      share,
      groupText,
      groupFile: 'group.json',
      paths: serverPaths(dir),
      protection: { newKeyFile: keyFile },
    });
    holders.push({
      moniker: share.moniker,
      env: { PATH: process.env.PATH, SSS_TOOL_HOME: dir, SSS_TOOL_SERVER_KEY_FILE: keyFile },
    });
  }
  return holders;
}

const CPU_HOOK = join(import.meta.dirname, 'cpu-usage.js');

function timed(args, env) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  // The same command again with the CPU-time hook (not timed: the hook adds its own start-up).
  const c = spawnSync(process.execPath, ['--import', CPU_HOOK, ...args], { env, encoding: 'utf8' });
  const cpu = Number(/cpu-ms ([\d.]+)/.exec(c.stderr)?.[1]);
  return { ms, cpu, stdout: r.stdout };
}

/** One trust-server JWT's worth of spawns per run; returns the median of each step. */
function spawned(holders, runs) {
  const names = [
    'node -e 0',
    'the full program: sss-tool --version',
    'info',
    'get-nonce',
    'sign (first)',
    'sign (last, aggregates)',
  ];
  const t = Object.fromEntries(names.map((n) => [n, []]));
  const cpu = Object.fromEntries(names.map((n) => [n, []]));
  const message = Buffer.from('eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9.eyJtYWNoaW5lX2lkIjoiYmVuY2gifQ').toString('hex');
  for (let i = 0; i < runs + 2; i++) {
    const keep = i >= 2; // two warm-up runs (disk cache)
    const push = (k, r) => keep && t[k].push(r.ms) && cpu[k].push(r.cpu);
    push('node -e 0', timed(['-e', '0'], process.env));
    push('the full program: sss-tool --version', timed([BIN, '--version'], process.env));
    push('info', timed([BIN, 'info'], holders[0].env));
    const nonces = holders.map((h, k) => {
      const r = timed([BIN, 'get-nonce'], h.env);
      if (k === 0) push('get-nonce', r);
      return { priv: /nonce_priv = (\S+)/.exec(r.stdout)[1], pub: /nonce_pub = (\S+)/.exec(r.stdout)[1] };
    });
    const pub = JSON.stringify(Object.fromEntries(holders.map((h, k) => [h.moniker, nonces[k].pub])));
    let sigs = '{}';
    holders.forEach((h, k) => {
      const r = timed(
        [BIN, 'sign', '--pub-nonces', pub, '--my-nonce', nonces[k].priv, '--message', message, '--partial-sigs', sigs],
        h.env,
      );
      if (k === 0) push('sign (first)', r);
      if (k === 2) {
        push('sign (last, aggregates)', r);
        if (!/^full_signature: [0-9a-f]{128}$/m.test(r.stdout)) throw new Error('no full signature');
      }
      sigs = /^sigs = (.*)$/m.exec(r.stdout)[1];
    });
  }
  return names.map((name) => ({
    name: `spawned: ${name}`,
    ms: round1(median(t[name])),
    cpuMs: round1(median(cpu[name])),
    runs: t[name].length,
  }));
}

async function inProcess(holders, runs) {
  const signers = await Promise.all(holders.map((h) => openTrustServerSigner({ env: h.env })));
  const message = new TextEncoder().encode('header.payload');
  const get = [];
  const sign = [];
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    const nonces = signers.map((s) => s.getNonce());
    get.push((performance.now() - t0) / signers.length);
    const pub = Object.fromEntries(signers.map((s, k) => [s.moniker, nonces[k].nonce_pub]));
    let sigs = {};
    t0 = performance.now();
    signers.forEach(
      (s, k) => (sigs = s.sign({ pubNonces: pub, myNonce: nonces[k].nonce_priv, message, partialSigs: sigs }).sigs),
    );
    sign.push((performance.now() - t0) / signers.length);
  }
  return [
    { name: 'library: getNonce', ms: round1(median(get)), runs },
    { name: 'library: sign (mean of first, middle, last)', ms: round1(median(sign)), runs },
  ];
}

/** Rows {name, ms, runs}. */
export async function run(runs = Number(process.env.BENCH_SERVER_RUNS ?? 15)) {
  return inTempDir('sss-bench-server-', async (root) => {
    const holders = await installGroup(root);
    const before = loadavg()[0];
    const rows = spawned(holders, runs);
    rows.push(...(await inProcess(holders, 50)));
    rows.push({
      name: `load average (1 min) before / after`,
      ms: `${before.toFixed(2)} / ${loadavg()[0].toFixed(2)}`,
      runs: 0,
    });
    return rows;
  });
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await run());
