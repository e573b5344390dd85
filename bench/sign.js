// Threshold signing benchmark: a 3-of-5 and an 11-of-16 signature over a JWT signing input.
// - in-process: the library (`import ... from 'sss-tool'`), share files opened once; one run is every
//   round of every signer (M commits, M shares) plus the aggregation; median of many runs.
// - one cosigner / the coordinator alone, with the other signers' commitments never seen before:
//   what each trust-server process pays per request when the cosigners are separate processes.
// - spawned CLI: one process per step as trust-server spawns its tool today (M sign-commit,
//   M sign-share, one sign-aggregate by the last cosigner), with age's default scrypt work factor
//   (2^18, what a real home dir uses: each step decrypts the share file, and the nonces are an age
//   file) and with SSS_TOOL_SCRYPT_LOG_N=10 (the tests' setting: process and I/O cost alone).
// - a plain single-key Ed25519 signature (noble's ed25519.sign, and node:crypto) for scale.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { Cosigner, aggregate, jwtSigningInput, verifySignature } from '../lib/index.js';
import { checkElement, clearCheckedPoints } from '../lib/crypto/sign.js';
import { saveShareFile } from '../lib/local/share.js';
import { BIN, dealtGroup, inTempDir } from './support.js';

/** The signers' group (`signer00`…) as their share files hold it, and the share files. */
function signingGroup(n, m) {
  const { shares } = dealtGroup(n, m, { prefix: 'signer', width: 2 });
  return { group: shares[0].group, shares };
}
const PASSPHRASE = 'bench passphrase';
const round2 = (x) => Number(x.toFixed(2));

/** Median time of `timed(setup())` over `runs` runs (after a few warm-up runs); setup is not timed. */
function median(timed, runs, setup = () => undefined) {
  const warm = Math.min(10, runs);
  const t = [];
  for (let i = 0; i < warm + runs; i++) {
    const input = setup();
    const t0 = performance.now();
    timed(input);
    if (i >= warm) t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1];
}

function message(publicKey) {
  return jwtSigningInput(
    { machineId: 'a'.repeat(64), moniker: 'signer00', tcbStatus: 'UpToDate', iat: 1_700_000_000, exp: 1_700_003_600 },
    publicKey,
  );
}

function inProcess(n, m, runs) {
  const { group, shares } = signingGroup(n, m);
  const cosigners = shares.slice(0, m).map((s) => new Cosigner(s));
  const msg = message(group.publicKey);
  let k = 0;
  let last;
  const ms = median(() => {
    const session = `bench-${k++}`;
    const commitments = cosigners.map((c) => c.commit(session));
    const sigShares = cosigners.map((c) => c.signShare(session, msg, commitments));
    last = aggregate(cosigners[0].group, msg, commitments, sigShares).signature;
  }, runs);
  if (!verifySignature(group.publicKey, msg, last)) throw new Error('in-process signature does not verify');

  // Per process, as separate cosigners see it: the other signers' commitments are new to it (only
  // the group's own points were checked before, when the share file was opened).
  const forget = () => {
    clearCheckedPoints();
    group.commitment.forEach((c, i) => checkElement(c, `commitment.${i}`));
  };
  const one = median(
    ({ session, others }) => cosigners[0].signShare(session, msg, [cosigners[0].commit(session), ...others]),
    runs,
    () => {
      const session = `one-${k++}`;
      const others = cosigners.slice(1).map((c) => c.commit(session));
      forget();
      return { session, others };
    },
  );
  const coordinator = median(
    ({ commitments, sigShares }) => aggregate(group, msg, commitments, sigShares),
    runs,
    () => {
      const session = `agg-${k++}`;
      const commitments = cosigners.map((c) => c.commit(session));
      const sigShares = cosigners.map((c) => c.signShare(session, msg, commitments));
      forget();
      return JSON.parse(JSON.stringify({ commitments, sigShares }));
    },
  );
  return [
    { name: 'in-process: all rounds, all signers', n, m, ms: round2(ms) },
    { name: "in-process: one cosigner, commit + share (others' commitments new)", n, m, ms: round2(one) },
    { name: 'in-process: coordinator, aggregate (all points new)', n, m, ms: round2(coordinator) },
  ];
}

async function spawned(n, m, logN) {
  const { group, shares } = signingGroup(n, m);
  const env = { ...process.env, SSS_TOOL_PASSPHRASE: PASSPHRASE };
  delete env.SSS_TOOL_SCRYPT_LOG_N;
  if (logN !== undefined) env.SSS_TOOL_SCRYPT_LOG_N = String(logN);
  return inTempDir('sss-bench-sign-', async (dir) => {
    const saved = process.env.SSS_TOOL_SCRYPT_LOG_N;
    if (logN === undefined) delete process.env.SSS_TOOL_SCRYPT_LOG_N;
    else process.env.SSS_TOOL_SCRYPT_LOG_N = String(logN);
    const homes = [];
    for (const s of shares.slice(0, m)) {
      const home = join(dir, s.moniker);
      mkdirSync(home);
      await saveShareFile(join(home, 'trustserver_share.json.age'), s, PASSPHRASE);
      homes.push(home);
    }
    if (saved === undefined) delete process.env.SSS_TOOL_SCRYPT_LOG_N;
    else process.env.SSS_TOOL_SCRYPT_LOG_N = saved;

    const msgFile = join(dir, 'message');
    const msg = message(group.publicKey);
    writeFileSync(msgFile, msg);
    mkdirSync(join(dir, 'commitments'));
    mkdirSync(join(dir, 'shares'));
    const run = (args) => {
      const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`sss-tool ${args[0]} failed: ${r.stderr}`);
      return r.stdout;
    };
    const t0 = performance.now();
    homes.forEach((home, i) =>
      run(['sign-commit', '--home', home, '--session', 'bench', '--out', join(dir, 'commitments', `${i}.json`)]),
    );
    homes.forEach((home, i) =>
      run([
        'sign-share',
        '--home',
        home,
        '--session',
        'bench',
        '--message-file',
        msgFile,
        '--commitments',
        join(dir, 'commitments'),
        '--out',
        join(dir, 'shares', `${i}.json`),
      ]),
    );
    const sig = run([
      'sign-aggregate',
      '--home',
      homes[m - 1],
      '--message-file',
      msgFile,
      '--commitments',
      join(dir, 'commitments'),
      '--shares',
      join(dir, 'shares'),
    ]).trim();
    const ms = performance.now() - t0;
    if (!verifySignature(group.publicKey, msg, sig)) throw new Error('spawned signature does not verify');
    const wf = logN === undefined ? 'default scrypt 2^18' : `SSS_TOOL_SCRYPT_LOG_N=${logN}`;
    return { name: `spawned CLI, ${2 * m + 1} processes (${wf})`, n, m, ms: Math.round(ms) };
  });
}

function singleKey() {
  const sk = ed25519.utils.randomSecretKey();
  const msg = message('00'.repeat(32));
  const { privateKey } = generateKeyPairSync('ed25519');
  return [
    { name: 'single key: noble ed25519.sign', n: 1, m: 1, ms: round2(median(() => ed25519.sign(msg, sk), 300)) },
    {
      name: 'single key: node:crypto sign (OpenSSL)',
      n: 1,
      m: 1,
      ms: round2(median(() => nodeSign(null, msg, privateKey), 300)),
    },
  ];
}

/** Rows {name, n, m, ms}. */
export async function run() {
  const rows = [];
  rows.push(...inProcess(5, 3, 200));
  rows.push(...inProcess(16, 11, 40));
  for (const [n, m] of [
    [5, 3],
    [16, 11],
  ]) {
    rows.push(await spawned(n, m, 10));
    rows.push(await spawned(n, m, undefined));
  }
  rows.push(...singleKey());
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await run();
  console.table(rows);
  for (const [n, m] of [
    [5, 3],
    [16, 11],
  ]) {
    const at = (prefix) => rows.filter((r) => r.n === n && r.m === m && r.name.startsWith(prefix));
    const inproc = at('in-process: all')[0].ms;
    for (const s of at('spawned'))
      console.log(`${m}-of-${n}: ${s.name} is ${Math.round(s.ms / inproc)}x the in-process ${inproc} ms`);
  }
}
