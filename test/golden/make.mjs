#!/usr/bin/env node
/**
 * Makes the golden transcript (test/golden/README.md): a 2-of-3 genesis (alice, bob, carol), dave's
 * join approved by alice and bob, a message signed by alice and dave, and a JWT signed by bob and
 * dave, all through the real CLI (bin/sss-tool.js) with deterministic randomness
 * (seeded-random.mjs, loaded into each CLI process). Only public files are written to the output
 * directory; the participants' homes live in a temp dir that is removed afterwards.
 *
 *   node test/golden/make.mjs [outDir]      (default: test/golden/transcript, replaced)
 *   node test/golden/make.mjs outDir --until join   (genesis and join only: what the test regenerates)
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = resolve(HERE, '..', '..', 'bin', 'sss-tool.js');
const RANDOM = pathToFileURL(join(HERE, 'seeded-random.mjs')).href;

export const SEED = 'sss-tool golden transcript v1';
export const GENESIS = ['alice', 'bob', 'carol'];
export const NEWCOMER = 'dave';
export const MESSAGE = 'sss-tool golden transcript: a message signed by alice and dave\n';
export const CLAIMS = '{"iss":"sss-tool golden","sub":"golden-machine","iat":1767225600}\n';
const PASSPHRASE = 'golden transcript passphrase (public)';

/**
 * Writes the transcript into `out` (which must be empty or absent). `until: 'genesis'` stops after
 * the genesis (and its public_info/), `until: 'join'` after the join. Throws with the command's
 * output when a command fails.
 */
export function makeGolden(out, { until } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'sss-golden-'));
  try {
    // The steps refuse a directory that is not a git checkout: play the ceremony in a fresh
    // repository, then copy out its files (never its .git).
    const repo = join(root, 'repo');
    mkdirSync(repo, { recursive: true });
    spawnSync('git', ['init', '-q', repo], { stdio: 'ignore' });
    run(repo, root, until);
    mkdirSync(out, { recursive: true });
    cpSync(repo, out, { recursive: true, filter: (src) => !src.startsWith(join(repo, '.git')) });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function run(out, root, until) {
  mkdirSync(out, { recursive: true });
  const home = (m) => join(root, 'homes', m);
  const sss = (label, m, args) => cli(label, [...args, '--home', home(m), '--repo', out]);
  const genesisDir = join(out, 'ceremonies', 'genesis');

  for (const m of [...GENESIS, NEWCOMER])
    sss(`initialize/${m}`, m, ['initialize', '--moniker', m, '--endpoint', `https://${m}.example`]);
  for (const m of GENESIS)
    sss(`dkg-round1/${m}`, m, ['dkg-round1', '--threshold', '2', '--participants', '3', '--ceremony', 'genesis']);
  for (const m of GENESIS) sss(`dkg-round2/${m}`, m, ['dkg-round2', '--commitments', join(genesisDir, 'round1')]);
  for (const m of GENESIS) sss(`dkg-finalize/${m}`, m, ['dkg-finalize', '--shares', join(genesisDir, 'round2')]);
  cli('publish/genesis', ['publish', '--ceremony', 'genesis', '--repo', out]);
  if (until === 'genesis') return;

  const joinDir = join(out, 'ceremonies', `join-${NEWCOMER}`);
  sss(`join-request/${NEWCOMER}`, NEWCOMER, ['join-request', '--approvers', 'alice,bob']);
  for (const m of ['alice', 'bob'])
    sss(`approve-participant/${m}`, m, ['approve-participant', '--request', join(joinDir, 'request.json')]);
  sss(`finalize-join/${NEWCOMER}`, NEWCOMER, ['finalize-join', '--approvals', join(joinDir, 'approvals')]);
  cli(`publish/join-${NEWCOMER}`, ['publish', '--ceremony', `join-${NEWCOMER}`, '--repo', out]);
  if (until === 'join') return;

  const group = join(out, 'public_info', 'group.json');
  const message = join(out, 'signing', 'message.txt');
  mkdirSync(dirname(message), { recursive: true });
  writeFileSync(message, MESSAGE);
  signingSession(
    sss,
    join(out, 'signing', 'message'),
    'golden-message',
    ['alice', NEWCOMER],
    ['--message-file', message],
  );
  const signature = sss('sign-aggregate', 'alice', [
    'sign-aggregate',
    ...['--commitments', join(out, 'signing', 'message', 'commitments')],
    ...['--shares', join(out, 'signing', 'message', 'shares')],
    ...['--message-file', message, '--group', group],
  ]);
  writeFileSync(join(out, 'signing', 'signature.txt'), signature);

  const claims = join(out, 'signing', 'claims.json');
  writeFileSync(claims, CLAIMS);
  const jwtDir = join(out, 'signing', 'jwt');
  signingSession(sss, jwtDir, 'golden-jwt', ['bob', NEWCOMER], ['--claims-file', claims], 'jwt');
  sss('jwt-aggregate', 'bob', [
    'jwt',
    ...['--claims-file', claims, '--commitments', join(jwtDir, 'commitments')],
    ...['--shares', join(jwtDir, 'shares'), '--group', group, '--out', join(out, 'signing', 'jwt.txt')],
  ]);
}

/** Both signing rounds of one session: each signer's commitment, then each signer's share. */
function signingSession(sss, dir, session, signers, input, shareCommand = 'sign-share') {
  const commitments = join(dir, 'commitments');
  mkdirSync(commitments, { recursive: true });
  mkdirSync(join(dir, 'shares'), { recursive: true });
  for (const m of signers)
    sss(`sign-commit/${session}/${m}`, m, [
      'sign-commit',
      '--session',
      session,
      '--out',
      join(commitments, `${m}.json`),
    ]);
  for (const m of signers)
    sss(`${shareCommand}/${session}/${m}`, m, [
      shareCommand,
      '--session',
      session,
      '--commitments',
      commitments,
      ...input,
      '--out',
      join(dir, 'shares', `${m}.json`),
    ]);
}

/** Runs the real CLI with the seeded randomness; `label` keys its stream (one per command). */
function cli(label, args) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      // The CLI runs from its bundle (lib/bundle/): with source maps, the stacks seeded-random.mjs
      // sorts draws by name the original packages and functions again.
      NODE_OPTIONS: `--enable-source-maps --import ${RANDOM}`,
      SSS_TOOL_GOLDEN_SEED: SEED,
      SSS_TOOL_GOLDEN_LABEL: label,
      SSS_TOOL_PASSPHRASE: PASSPHRASE,
      // The homes are thrown away: age's work factor only has to be valid.
      SSS_TOOL_SCRYPT_LOG_N: '1',
    },
  });
  if (process.env.SSS_TOOL_GOLDEN_TRACE) process.stderr.write(r.stderr);
  if (r.status !== 0) throw new Error(`sss-tool ${args.join(' ')} failed (${r.status}):\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? join(HERE, 'transcript'));
  const until = process.argv[3] === '--until' ? process.argv[4] : undefined;
  rmSync(out, { recursive: true, force: true });
  makeGolden(out, { until });
  console.log(`wrote ${out}`);
}
