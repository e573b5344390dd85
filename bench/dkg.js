// Genesis DKG benchmark: one participant's dkg-round2 and dkg-finalize and the full `verify`, run
// as the real CLI on a generated N-participant ceremony, beside noble's own DKG.round2/round3 at
// the same N and M, and the floor: decoding the N·M commitment points once, on one core.
//
// On a shared machine wall times follow the load, so the floor and `verify` are measured in
// alternation (BENCH_REPEAT pairs, default 5) and compared pair by pair (median of the ratios);
// dkg-finalize runs BENCH_FINALIZE_REPEAT times (default 3, its home restored in between) and is
// compared with noble's round 3 by CPU time, which depends much less on the load.
// BENCH_NOBLE_UP_TO=0 skips noble (its round 3 takes minutes at N=256).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ed25519, x25519, ed25519_FROST as frost } from '@noble/curves/ed25519.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { signArtifact, toFileText } from '../lib/artifacts/canonical.js';
import { FORMATS } from '../lib/artifacts/schemas.js';
import { dealShares } from '../lib/crypto/dkg.js';
import { SHARE_LABEL, dkgCommit, dkgFinalize } from '../lib/ceremony/dkg-steps.js';
import { hpkeInfo, seal } from '../lib/crypto/hpke.js';
import { evaluateCommitment, evaluatePolynomial } from '../lib/crypto/msm.js';
import {
  CIPHERSUITE,
  Fn,
  bytesToHex,
  clearPointCache,
  decodePoint,
  decodeScalar,
  encodePoint,
  hexToBytes,
  identifierFor,
} from '../lib/crypto/suite.js';
import { auditDkg, round1DigestOf } from '../lib/ceremony/dkg.js';
import { readCeremony } from '../lib/ceremony/tree.js';
import { homePaths } from '../lib/local/home.js';
import { createIdentity, openIdentity } from '../lib/local/identity.js';
import { writePrivateNew } from '../lib/local/keystore.js';
import { childCpuOf } from './child-cpu.js';

const BIN = resolve(import.meta.dirname, '..', 'bin', 'sss-tool.js');
const PASS = 'bench passphrase';
const LOG_N = '10';
process.env.SSS_TOOL_SCRYPT_LOG_N = LOG_N;

const ms = (t0) => Math.round(performance.now() - t0);

/** CPU (user + system, ms) of the last timeCli's process, all its threads: finalize decodes on every core. */
let lastCpuMs = null;

function timeCli(args, env) {
  const t0 = performance.now();
  const { result: r, cpuMs } = childCpuOf(() =>
    spawnSync(process.execPath, [BIN, ...args], {
      encoding: 'utf8',
      env: { ...process.env, SSS_TOOL_PASSPHRASE: PASS, SSS_TOOL_SCRYPT_LOG_N: LOG_N, ...env },
      maxBuffer: 1 << 26,
    }),
  );
  const t = ms(t0);
  lastCpuMs = cpuMs;
  if (r.status !== 0) throw new Error(`sss-tool ${args[0]} failed: ${r.stderr}`);
  return t;
}

/** Builds an N-participant ceremony up to round 1; participant 0 has a real home dir. */
async function setup(n, m, dir) {
  const ceremony = 'bench';
  const cdir = join(dir, 'ceremonies', ceremony);
  mkdirSync(join(cdir, 'round1'), { recursive: true });
  writeFileSync(
    join(cdir, 'ceremony.json'),
    toFileText({
      format: FORMATS.ceremony,
      ceremony,
      kind: 'dkg',
      ciphersuite: CIPHERSUITE,
      threshold: m,
      participants: n,
    }),
  );
  const home = join(dir, 'home');
  const paths = homePaths(home);
  await createIdentity(paths, { moniker: 'p0000' }, PASS);
  const me = await openIdentity(paths, PASS);
  const people = [];
  for (let i = 0; i < n; i++) {
    const moniker = `p${String(i).padStart(4, '0')}`;
    const id =
      i === 0
        ? me
        : (() => {
            const signingSecret = ed25519.utils.randomSecretKey();
            const encryptionSecret = x25519.utils.randomSecretKey();
            return {
              moniker,
              identifier: identifierFor(moniker),
              signingSecret,
              encryptionSecret,
              signingKey: bytesToHex(ed25519.getPublicKey(signingSecret)),
              encryptionKey: bytesToHex(x25519.getPublicKey(encryptionSecret)),
            };
          })();
    // Round 1 as the CLI makes it (src/ceremony/dkg-steps.ts).
    const { artifact: round1, state } = dkgCommit(ceremony, id, m, n);
    const secret = state.secret;
    writeFileSync(join(cdir, 'round1', `${moniker}.json`), toFileText(round1));
    people.push({
      id,
      secret,
      round1,
      x: decodeScalar(id.identifier, 'id'),
      coefficients: secret.coefficients.map((c) => decodeScalar(c, 'c')),
    });
    if (i === 0) await writePrivateNew(paths.dkgState(ceremony), state, PASS);
  }
  return { ceremony, cdir, home, people };
}

/**
 * The other participants' round 2: real ciphertexts to participant 0 (dealt and labelled as
 * dkgDeal does), random bytes elsewhere. A full dkgDeal per participant would seal N² shares,
 * which at N=256 takes longer than everything measured here.
 */
async function othersRound2(ceremony, cdir, people, round1Digest) {
  mkdirSync(join(cdir, 'round2'), { recursive: true });
  const me = people[0];
  const out = [];
  for (const p of people.slice(1)) {
    const shares = [];
    for (const r of people) {
      if (r === p) continue;
      if (r === me) {
        const s = await seal(
          hexToBytes(me.id.encryptionKey),
          hpkeInfo(SHARE_LABEL, ceremony, p.id.identifier, me.id.identifier),
          Fn.toBytes(dealShares(p.secret, [me.id.identifier]).get(me.id.identifier)),
        );
        shares.push({ recipient: r.id.moniker, enc: bytesToHex(s.enc), ciphertext: bytesToHex(s.ciphertext) });
      } else {
        shares.push({
          recipient: r.id.moniker,
          enc: bytesToHex(x25519.getPublicKey(x25519.utils.randomSecretKey())),
          ciphertext: bytesToHex(randomBytes(48)),
        });
      }
    }
    const a = signArtifact(
      { format: FORMATS.round2, ceremony, moniker: p.id.moniker, identifier: p.id.identifier, round1Digest, shares },
      p.id.signingSecret,
    );
    writeFileSync(join(cdir, 'round2', `${p.id.moniker}.json`), toFileText(a));
    out.push(a);
  }
  return out;
}

function nobleRounds(people, n, m) {
  const toNoble = (p) => ({
    identifier: p.round1.identifier,
    commitment: p.round1.commitment.map(hexToBytes),
    proofOfKnowledge: hexToBytes(p.round1.proofOfKnowledge),
  });
  const me = people[0];
  const secret = {
    identifier: me.x,
    coefficients: [...me.coefficients],
    commitment: me.round1.commitment.map(hexToBytes),
    signers: { min: m, max: n },
    step: 1,
  };
  const others = people.slice(1).map(toNoble);
  let t0 = performance.now();
  frost.DKG.round2(secret, others);
  const round2 = ms(t0);
  const toMe = people.slice(1).map((p) => ({
    identifier: p.round1.identifier,
    signingShare: Fn.toBytes(evaluatePolynomial(p.coefficients, me.x)),
  }));
  t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const key = frost.DKG.round3(secret, others, toMe);
  const cpu = process.cpuUsage(cpu0);
  return {
    round2,
    round3: ms(t0),
    round3Cpu: Math.round((cpu.user + cpu.system) / 1000),
    groupKey: bytesToHex(key.public.commitments[0]),
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ratio = (a, b) => (a && b ? Math.round((a / b) * 100) / 100 : null);

/** The floor: decoding every commitment point once, cold, on this one thread. */
function decodeFloor(people) {
  clearPointCache();
  const t0 = performance.now();
  for (const p of people) p.round1.commitment.forEach((c) => decodePoint(c, 'c'));
  return ms(t0);
}

/** dkg-finalize `times` times from the same home (restored in between): medians of wall and CPU. */
function timeFinalize(cdir, home, dir, times) {
  const saved = `${home}.before-finalize`;
  cpSync(home, saved, { recursive: true });
  const wall = [];
  const cpu = [];
  for (let i = 0; i < times; i++) {
    if (i) {
      rmSync(home, { recursive: true, force: true });
      cpSync(saved, home, { recursive: true });
    }
    wall.push(timeCli(['dkg-finalize', '--shares', join(cdir, 'round2'), '--home', home, '--repo', dir]));
    cpu.push(lastCpuMs);
  }
  return { wall: median(wall), cpu: cpu.includes(null) ? null : median(cpu) };
}

/** The floor and verify in alternation, `times` pairs: medians, and the median of the pairs' ratios. */
function floorAndVerify(people, ceremony, dir, times) {
  const floors = [];
  const verifies = [];
  for (let i = 0; i < times; i++) {
    floors.push(decodeFloor(people));
    verifies.push(timeCli(['verify', '--ceremony', ceremony, '--require-complete', '--repo', dir]));
  }
  return {
    floor: median(floors),
    verify: median(verifies),
    ratio: ratio(median(verifies.map((v, i) => v / floors[i])), 1),
  };
}

/** Everyone else's finalize artifact, so that the transcript is complete. */
function othersFinalize(cdir, dir, people) {
  const audit = auditDkg(readCeremony(cdir, dir));
  const C = audit.groupCommitment;
  for (const p of people.slice(1)) {
    const a = dkgFinalize(audit, p.id, encodePoint(evaluateCommitment(C, p.x)));
    writeFileSync(join(cdir, 'finalize', `${p.id.moniker}.json`), toFileText(a));
  }
}

async function measure(n, m, dir, { nobleUpTo, repeat, finalizeRepeat, log }) {
  log(`N=${n} M=${m}: generating the ceremony…`);
  const { ceremony, cdir, home, people } = await setup(n, m, dir);
  const round2 = timeCli(['dkg-round2', '--commitments', join(cdir, 'round1'), '--home', home, '--repo', dir]);
  await othersRound2(ceremony, cdir, people, round1DigestOf(people.map((p) => p.round1)));
  log(`N=${n}: dkg-finalize ×${finalizeRepeat}…`);
  const finalize = timeFinalize(cdir, home, dir, finalizeRepeat);
  othersFinalize(cdir, dir, people);
  log(`N=${n}: floor and verify, ${repeat} pairs…`);
  const fv = floorAndVerify(people, ceremony, dir, repeat);
  clearPointCache();
  const t0 = performance.now();
  const inProcess = auditDkg(readCeremony(cdir, dir));
  const verifyInProcess = ms(t0);
  if (inProcess.phase !== 'complete')
    throw new Error(`bench ceremony is ${inProcess.phase}: ${inProcess.errors[0]?.message}`);
  let noble = { round2: null, round3: null, round3Cpu: null };
  if (n <= nobleUpTo) {
    log(`N=${n}: noble's DKG.round2/round3…`);
    noble = nobleRounds(people, n, m);
    if (noble.groupKey !== inProcess.group.publicKey) throw new Error('noble and sss-tool disagree on the group key');
  }
  return {
    n,
    m,
    points: n * m,
    floorMs: fv.floor,
    round2Ms: round2,
    finalizeMs: finalize.wall,
    verifyMs: fv.verify,
    verifyInProcessMs: verifyInProcess,
    nobleRound2Ms: noble.round2,
    nobleRound3Ms: noble.round3,
    // The ratios: verify's wall time over the decode floor (target ≤ 1.1; the median of
    // the alternating pairs' ratios), and how many times less CPU dkg-finalize (whole process,
    // every thread; median of its runs) uses than noble's round 3 (target ≥ 25).
    verifyOverFloor: fv.ratio,
    finalizeCpuMs: finalize.cpu,
    nobleRound3CpuMs: noble.round3Cpu,
    nobleRound3OverFinalizeCpu: ratio(noble.round3Cpu, finalize.cpu),
  };
}

export async function run({
  sizes = [16, 64, 256],
  nobleUpTo = Number(process.env.BENCH_NOBLE_UP_TO ?? 256),
  repeat = Number(process.env.BENCH_REPEAT ?? 5),
  finalizeRepeat = Number(process.env.BENCH_FINALIZE_REPEAT ?? 3),
  log = console.error,
} = {}) {
  const rows = [];
  for (const n of sizes) {
    const m = Math.ceil((2 * n) / 3);
    const dir = mkdtempSync(join(tmpdir(), `sss-bench-${n}-`));
    // The steps write only into a git checkout.
    spawnSync('git', ['init', '-q', dir]);
    try {
      rows.push(await measure(n, m, dir, { nobleUpTo, repeat, finalizeRepeat, log }));
      log(JSON.stringify(rows[rows.length - 1]));
    } finally {
      if (process.env.BENCH_KEEP) log(`kept ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}

/**
 * Measures again on a ceremony kept by an earlier run (BENCH_KEEP=1, then BENCH_DIR=that dir):
 * the floor and verify in alternation, and dkg-finalize from the home saved before it ran. No
 * generation and no noble, so a quiet moment on a shared machine can be used at once.
 */
export function rerun(dir, { repeat = 5, finalizeRepeat = 3 } = {}) {
  const cdir = join(dir, 'ceremonies', 'bench');
  const files = readCeremony(cdir, dir);
  const people = [...files.byRole.get('round1').values()].map((r) => ({ round1: r.value }));
  const home = join(dir, 'home.rerun');
  rmSync(home, { recursive: true, force: true });
  cpSync(join(dir, 'home.before-finalize'), home, { recursive: true });
  const finalize = timeFinalize(cdir, home, dir, finalizeRepeat);
  const fv = floorAndVerify(people, 'bench', dir, repeat);
  return { n: people.length, floorMs: fv.floor, verifyMs: fv.verify, verifyOverFloor: fv.ratio, finalize };
}

if (import.meta.url === `file://${process.argv[1]}` && process.env.BENCH_DIR) {
  console.log(JSON.stringify(rerun(process.env.BENCH_DIR)));
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv.slice(2).map(Number).filter(Boolean);
  const rows = await run(sizes.length ? { sizes } : {});
  console.table(rows);
}
