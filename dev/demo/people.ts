/**
 * What every act of the demo shares: where the CLI and the bundled Action are, a participant's own
 * corner (passphrase file, home dir, clone), git, running the real CLI in a child process, and
 * the check that a ceremony ended with public_info/ published.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleGit, SimpleGit } from 'simple-git';
import { SssError } from '../../src/errors.js';

/** The checkout this file belongs to (dev/demo/ in source, lib-dev/dev/demo/ once compiled). */
export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
export const BIN = join(ROOT, 'bin', 'sss-tool.js');
/** The bundled Action, as a repository that `uses:` it runs it. */
export const DIST = join(ROOT, 'dist', 'index.js');
export const DEMO_REPOSITORY = 'demo/ceremonies';

function findRoot(dir: string): string {
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir)
      throw new SssError('the demo runs from a checkout of sss-tool (no package.json found)', { code: 'io' });
    dir = up;
  }
  return dir;
}

export interface DemoParticipant {
  moniker: string;
  home: string;
  clone: string;
  passphraseFile: string;
}

/**
 * After a ceremony: pulls main, re-audits the ceremony with the CLI (`verify --require-complete`),
 * checks public_info/ is what the transcript yields, and returns the published key and peers.
 */
export async function checkPublished(
  repository: string,
  ceremony: string,
): Promise<{ publicKey: string; peers: string }> {
  await git(repository).pull('origin', 'main');
  await sssTool(['verify', '--ceremony', ceremony, '--require-complete', '--repo', repository]);
  await sssTool(['publish', '--ceremony', ceremony, '--check', '--repo', repository]);
  return {
    publicKey: readFileSync(join(repository, 'public_info', 'public_key.txt'), 'utf8').trim(),
    peers: readFileSync(join(repository, 'public_info', 'peers_list.txt'), 'utf8'),
  };
}

/** A participant's own corner of the demo: a passphrase file, a home dir, a clone of origin. */
export async function newParticipant(root: string, origin: string, moniker: string): Promise<DemoParticipant> {
  const dir = join(root, 'participants', moniker);
  mkdirSync(dir, { recursive: true });
  const passphraseFile = join(dir, 'passphrase.txt');
  writeFileSync(passphraseFile, `demo passphrase of ${moniker}\n`, { mode: 0o600 });
  const clone = join(dir, 'repo');
  await git(root).clone(origin, clone);
  await identify(git(clone), moniker);
  return { moniker, home: join(dir, 'home'), clone, passphraseFile };
}

export function git(dir: string): SimpleGit {
  return simpleGit({ baseDir: dir });
}

export async function identify(g: SimpleGit, name: string): Promise<void> {
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
    child.on('close', (code) =>
      code === 0
        ? resolvePromise(out)
        : reject(new SssError(`sss-tool ${args[0]} failed: ${err.trim() || out.trim()}`, { code: 'invalid' })),
    );
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
