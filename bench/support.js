// What the benchmarks build before they measure, written once: people with identity keys, a
// dealer-made group (noble's trustedDealer) as the group package and as share files, a scratch
// directory, git, and the small timing helpers. A benchmark measures a step, not a genesis: a join,
// a reshare or a signature needs nothing from the genesis but the group it left, so the group is
// dealt, which takes milliseconds where a DKG of the same size takes minutes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ed25519, x25519, ed25519_FROST as frost } from '@noble/curves/ed25519.js';
import { bytesToHex, decodeScalar, identifierFor } from '../lib/crypto/suite.js';

/** The real CLI, as trust-server and the participants run it. */
export const BIN = resolve(import.meta.dirname, '..', 'bin', 'sss-tool.js');

/** A participant's identity keys (as `initialize` makes them), secrets included: the benchmark plays everyone. */
export function identity(moniker) {
  const signingSecret = ed25519.utils.randomSecretKey();
  const encryptionSecret = x25519.utils.randomSecretKey();
  return {
    moniker,
    identifier: identifierFor(moniker),
    signingKey: bytesToHex(ed25519.getPublicKey(signingSecret)),
    encryptionKey: bytesToHex(x25519.getPublicKey(encryptionSecret)),
    signingSecret,
    encryptionSecret,
  };
}

/**
 * An m-of-n group dealt to `<prefix>0000`… (the number padded to `width` digits), as a genesis
 * named `genesis` would leave it. Returns `people` (identity keys, `x` the identifier as a scalar,
 * `share` the signing share), `group` (the group package, public_info/group.json) and `shares`
 * (each holder's share file, what sign-commit and install read).
 */
export function dealtGroup(n, m, { prefix = 'p', width = 4 } = {}) {
  const people = Array.from({ length: n }, (_, i) => identity(`${prefix}${String(i).padStart(width, '0')}`));
  const deal = frost.trustedDealer(
    { min: m, max: n },
    people.map((p) => p.identifier),
  );
  const commitment = deal.public.commitments.map((c) => bytesToHex(c));
  const verifyingShare = (p) => bytesToHex(deal.public.verifyingShares[p.identifier]);
  const signingShare = (p) => bytesToHex(deal.secretShares[p.identifier].signingShare);
  for (const p of people) {
    p.x = decodeScalar(p.identifier, 'identifier');
    p.share = decodeScalar(signingShare(p), 'share');
  }
  const group = {
    format: 'sss-tool/group@1',
    ciphersuite: 'FROST-ED25519-SHA512-v1',
    publicKey: commitment[0],
    threshold: m,
    commitment,
    participants: people
      .map((p) => ({
        moniker: p.moniker,
        identifier: p.identifier,
        verifyingShare: verifyingShare(p),
        signingKey: p.signingKey,
        encryptionKey: p.encryptionKey,
        ceremony: 'genesis',
      }))
      .sort((a, b) => (a.moniker < b.moniker ? -1 : 1)),
    ceremonies: [{ id: 'genesis', kind: 'dkg' }],
  };
  const shareGroup = { publicKey: commitment[0], threshold: m, commitment, genesis: 'genesis' };
  const shares = people.map((p) => ({
    format: 'sss-tool/share@1',
    ciphersuite: 'FROST-ED25519-SHA512-v1',
    ceremony: 'genesis',
    moniker: p.moniker,
    identifier: p.identifier,
    signingShare: signingShare(p),
    verifyingShare: verifyingShare(p),
    group: shareGroup,
  }));
  return { people, group, shares };
}

/** Runs `fn(dir)` in a fresh temp directory, removed afterwards (kept, and said, with BENCH_KEEP set). */
export async function inTempDir(prefix, fn, log = console.error) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return await fn(dir);
  } finally {
    if (process.env.BENCH_KEEP) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs git in `cwd` with a fixed committer; returns stdout, trimmed. */
export function git(cwd, ...args) {
  const r = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'b',
      GIT_AUTHOR_EMAIL: 'b@b',
      GIT_COMMITTER_NAME: 'b',
      GIT_COMMITTER_EMAIL: 'b@b',
    },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** The median of a list of numbers (the upper one of an even count). */
export const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Wall-clock milliseconds since `t0` (a performance.now()), rounded. */
export const msSince = (t0) => Math.round(performance.now() - t0);

/**
 * CPU milliseconds (user + system) of this process since `c0` (a process.cpuUsage()): on a machine
 * shared with other jobs, closer than the wall clock to what a one-thread step costs on a quiet one.
 */
export const cpuMsSince = (c0) => {
  const d = process.cpuUsage(c0);
  return Math.round((d.user + d.system) / 1000);
};
