/**
 * `sss-tool demo`: a complete local ceremony. N participants, each with its own home dir and its
 * own clone of a shared bare repository; every step is a branch pushed to it and merged into main
 * by a maintainer clone, as a pull request would be. Then verify and publish.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { simpleGit, SimpleGit } from 'simple-git';
import { SssError } from '../errors.js';
import { makeContext, withGlobals } from './context.js';
import { branchName, commitMessage } from './submit.js';

const BIN = resolve(fileURLToPath(import.meta.url), '..', '..', '..', 'bin', 'sss-tool.js');
const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy', 'rupert', 'sybil', 'trent', 'victor', 'walter'];

export interface DemoParticipant {
  moniker: string;
  home: string;
  clone: string;
  passphraseFile: string;
}

export function register(p: Command): void {
  withGlobals(
    p
      .command('demo')
      .description('run a complete local genesis ceremony in a temporary git repository')
      .option('--participants <n>', 'number of participants', '5')
      .option('--threshold <t>', 'signers needed', '3')
      .option('--dir <dir>', 'where to put the demo (default: a new temporary directory)'),
  ).action(async (opts) => {
    const ctx = makeContext(opts);
    const n = Number(opts.participants);
    const t = Number(opts.threshold);
    if (!Number.isInteger(n) || n < 2 || n > NAMES.length) throw new SssError(`--participants must be from 2 to ${NAMES.length}`);
    if (!Number.isInteger(t) || t < 2 || t > n) throw new SssError('--threshold must be from 2 to --participants');
    const root = opts.dir ? resolve(opts.dir) : mkdtempSync(join(tmpdir(), 'sss-demo-'));
    const result = await runDemo(root, n, t, (line) => ctx.say(line));
    ctx.result(result);
  });
}

/** Runs the whole genesis ceremony; returns where everything is and the group key. */
export async function runDemo(root: string, n: number, t: number, say: (line: string) => void) {
  const ceremony = 'genesis';
  mkdirSync(root, { recursive: true });
  const origin = join(root, 'origin.git');
  const maintainer = join(root, 'maintainer');
  await git(root).init(['--bare', '-b', 'main', origin]);
  await git(root).clone(origin, maintainer);
  const m = git(maintainer);
  await identify(m, 'maintainer');
  writeFileSync(join(maintainer, 'README.md'), '# Demo ceremony repository\n\nArtifacts arrive as pull requests into `ceremonies/<id>/`.\n');
  await m.add('README.md');
  await m.commit('Start the ceremony repository');
  await m.push('origin', 'main');

  const people: DemoParticipant[] = [];
  for (const moniker of NAMES.slice(0, n)) {
    const dir = join(root, 'participants', moniker);
    mkdirSync(dir, { recursive: true });
    const passphraseFile = join(dir, 'passphrase.txt');
    writeFileSync(passphraseFile, `demo passphrase of ${moniker}\n`, { mode: 0o600 });
    const clone = join(dir, 'repo');
    await git(root).clone(origin, clone);
    await identify(git(clone), moniker);
    people.push({ moniker, home: join(dir, 'home'), clone, passphraseFile });
  }
  say(`Demo: a ${t}-of-${n} genesis ceremony in ${root}`);
  say(`  participants: ${people.map((p) => p.moniker).join(', ')}; each has its own home dir and clone`);
  say('');

  const run = (p: DemoParticipant, args: string[]) => sssTool([...args, '--home', p.home, '--repo', p.clone, '--passphrase-file', p.passphraseFile]);
  const step = async (name: string, args: (p: DemoParticipant) => string[]) => {
    await pool(people, 2, async (p) => {
      await git(p.clone).pull('origin', 'main');
      await git(p.clone).checkout(['-B', branchName({ ceremony, step: name, moniker: p.moniker, files: [] }), 'origin/main']);
      await run(p, args(p));
      await git(p.clone).add('ceremonies');
      await git(p.clone).commit(commitMessage({ ceremony, step: name, moniker: p.moniker, files: [] }));
      await git(p.clone).push('origin', branchName({ ceremony, step: name, moniker: p.moniker, files: [] }), ['--force']);
    });
    for (const p of people) {
      const branch = branchName({ ceremony, step: name, moniker: p.moniker, files: [] });
      await m.fetch('origin');
      await m.merge(['--no-ff', '-m', `Merge pull request: ${commitMessage({ ceremony, step: name, moniker: p.moniker, files: [] })}`, `origin/${branch}`]);
      await m.push('origin', 'main');
    }
    say(`  ${name}: ${people.length} pull requests merged`);
  };

  await pool(people, 2, (p) => run(p, ['initialize', '--moniker', p.moniker, '--endpoint', `https://${p.moniker}.cosigner.example`]));
  say('  initialize: identities created');
  await step('round1', () => ['dkg-round1', '--threshold', String(t), '--participants', String(n), '--ceremony', ceremony]);
  await step('round2', (p) => ['dkg-round2', '--commitments', join(p.clone, 'ceremonies', ceremony, 'round1')]);
  await step('finalize', (p) => ['dkg-finalize', '--shares', join(p.clone, 'ceremonies', ceremony, 'round2')]);

  await m.pull('origin', 'main');
  await sssTool(['verify', '--ceremony', ceremony, '--require-complete', '--repo', maintainer]);
  await sssTool(['publish', '--ceremony', ceremony, '--repo', maintainer]);
  await m.add('public_info');
  await m.commit(`Publish public_info for ${ceremony}`);
  await m.push('origin', 'main');

  const publicKey = readFileSync(join(maintainer, 'public_info', 'public_key.txt'), 'utf8').trim();
  const peers = readFileSync(join(maintainer, 'public_info', 'peers_list.txt'), 'utf8');
  const keys = people.map((p) => readFileSync(join(p.home, 'trustserver_public_key.pub'), 'utf8').trim());
  if (keys.some((k) => k !== publicKey)) throw new SssError('participants disagree on the group key');
  say('');
  say(`Verified: all ${n} participants hold shares of one key; any ${t} of them can sign.`);
  say(`Group public key (public_info/public_key.txt):`);
  say(`  ${publicKey}`);
  say('Peers (public_info/peers_list.txt):');
  for (const line of peers.trimEnd().split('\n')) say(`  ${line}`);
  say('');
  say(`Repository (main):   ${maintainer}`);
  say(`Public info:         ${join(maintainer, 'public_info')}`);
  say(`Participants' homes: ${join(root, 'participants', '<moniker>', 'home')} (age-encrypted; passphrase in passphrase.txt beside it)`);
  return { root, repository: maintainer, origin, publicKey, participants: people.map((p) => ({ moniker: p.moniker, home: p.home, clone: p.clone, passphraseFile: p.passphraseFile })) };
}

function git(dir: string): SimpleGit {
  return simpleGit({ baseDir: dir });
}

async function identify(g: SimpleGit, name: string): Promise<void> {
  await g.addConfig('user.name', name);
  await g.addConfig('user.email', `${name}@demo.invalid`);
  await g.addConfig('commit.gpgsign', 'false');
}

/** Runs the real CLI in a child process, as each participant would on their own machine. */
export function sssTool(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolvePromise(out) : reject(new SssError(`sss-tool ${args[0]} failed: ${err.trim() || out.trim()}`))));
  });
}

/** Runs f over items with at most `width` at a time. */
export async function pool<T>(items: T[], width: number, f: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await f(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}
