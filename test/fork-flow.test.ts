/**
 * The fork flow a participant without write access uses: a clone of their fork (`origin`) with
 * the ceremony repository as `upstream`, both real bare repositories reached through GitHub-like
 * URLs (url.<path>.insteadOf), and the stand-in for the API. --submit bases the branch on the
 * upstream's main fetched fresh, pushes it to the fork and opens the pull request upstream with
 * `owner:branch`; the printed commands survive a squash merge and leave the participant on main;
 * a directory that is not a checkout is refused before anything is written.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalGitHub, startLocalGitHub } from '../dev/local-github.js';
import { tokenAuth } from '../src/github/git.js';
import { cleanupTempDirs, git, tempDir } from './helpers.js';
import { cliAsync, newOrigin, okAsync } from './action-helpers.js';
import { openCeremonyOnMain } from './support/pull-requests.js';

const UPSTREAM_URL = 'https://github.com/proofofcloud/ceremonies.git';
const FORK_URL = 'https://github.com/alice-gh/ceremonies.git';

let gh: LocalGitHub;
let root: string;
let upstream: string;
let fork: string;
let maintainer: string;
let home: string;

/** A participant's clone of their fork, with the upstream as `upstream` and no origin/HEAD. */
function forkClone(name: string): string {
  const dir = join(root, name);
  const rewrite = [`url.${upstream}.insteadOf=${UPSTREAM_URL}`, `url.${fork}.insteadOf=${FORK_URL}`];
  git(root, ...rewrite.flatMap((r) => ['-c', r]), 'clone', '-q', FORK_URL, dir);
  for (const r of rewrite) {
    const [key, value] = r.split(/=(.*)/s);
    git(dir, 'config', key, value);
  }
  git(dir, 'remote', 'add', 'upstream', UPSTREAM_URL);
  git(dir, 'remote', 'set-head', 'origin', '--delete');
  git(dir, 'config', 'user.name', 'alice');
  git(dir, 'config', 'user.email', 'alice@test.invalid');
  return dir;
}

const heads = (bare: string) => git(bare, 'for-each-ref', '--format=%(refname:short)', 'refs/heads').trim().split('\n');
const round1 = (dir: string, ...extra: string[]) => [
  'dkg-round1',
  '--threshold',
  '2',
  '--participants',
  '3',
  '--ceremony',
  'genesis',
  '--home',
  home,
  '--repo',
  dir,
  ...extra,
];

beforeAll(async () => {
  gh = await startLocalGitHub();
  // The ceremony repository (the upstream) with one commit on main, and its maintainer's clone.
  ({ root, origin: upstream, maintainer } = newOrigin());
  fork = join(root, 'fork.git');
  // The fork is made now; upstream moves on, so the fork's main is stale.
  git(root, 'clone', '-q', '--bare', upstream, fork);
  openCeremonyOnMain(maintainer);
  home = join(root, 'home');
  await okAsync(['initialize', '--moniker', 'alice', '--github', 'alice-gh', '--home', home]);
});

afterAll(async () => {
  await gh?.close();
  cleanupTempDirs();
});

describe('the fork flow', () => {
  it("--submit pushes to the fork on the upstream's fresh main and opens the pull request upstream as owner:branch", async () => {
    const dir = forkClone('submit');
    git(dir, 'pull', '-q', '--ff-only', 'upstream', 'main');
    const r = await okAsync(round1(dir, '--submit'), { GITHUB_TOKEN: 'alice-token', GITHUB_API_URL: gh.url });
    const branch = 'ceremony/genesis/round1/alice';
    expect(heads(fork)).toContain(branch);
    expect(heads(upstream)).toEqual(['main']);
    // Based on upstream's main (which has ceremony.json), not on the fork's stale main.
    expect(git(fork, 'rev-parse', `${branch}^`).trim()).toBe(git(upstream, 'rev-parse', 'main').trim());
    expect(git(fork, 'diff', '--name-only', `${branch}^`, branch).trim()).toBe('ceremonies/genesis/round1/alice.json');
    const post = gh.requests.find((q) => q.method === 'POST' && q.path.endsWith('/pulls'));
    expect(post).toMatchObject({
      path: '/repos/proofofcloud/ceremonies/pulls',
      authorization: 'token alice-token',
      body: { head: `alice-gh:${branch}`, base: 'main', title: 'genesis: round1 from alice' },
    });
    expect(r.stdout).toMatch(/Opened pull request #\d+/);
    expect(r.stdout).toContain(`pull --ff-only upstream main`);
    expect(git(dir, 'branch', '--show-current').trim()).toBe('main');

    // Re-submission: the open pull request is found and its title and body brought up to date.
    const pull = gh.pulls.find((p) => p.head === branch)!;
    pull.title = 'edited by hand';
    const again = await okAsync(round1(dir, '--submit'), { GITHUB_TOKEN: 'alice-token', GITHUB_API_URL: gh.url });
    expect(again.stdout).toContain(`Updated pull request #${pull.number}`);
    expect(pull.title).toBe('genesis: round1 from alice');
    expect(gh.pulls.filter((p) => p.head === branch)).toHaveLength(1);
  });

  it('the printed commands work after a squash merge and leave the participant on main', async () => {
    const dir = forkClone('manual');
    git(dir, 'pull', '-q', '--ff-only', 'upstream', 'main');
    const r = await okAsync(round1(dir));
    const commands = r.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('git -C '));
    expect(commands.map((c) => c.split(' ')[3])).toEqual(['fetch', 'switch', 'add', 'commit', 'push', 'switch']);
    for (const c of commands) {
      const run = spawnSync('sh', ['-c', c], { encoding: 'utf8' });
      expect(run.status, `${c}\n${run.stderr}`).toBe(0);
    }
    expect(git(dir, 'branch', '--show-current').trim()).toBe('main');
    expect(git(dir, 'status', '--porcelain').trim()).toBe('');
    // The maintainer squash-merges the branch from the fork.
    git(maintainer, 'fetch', '-q', fork, 'ceremony/genesis/round1/alice');
    git(maintainer, 'merge', '-q', '--squash', 'FETCH_HEAD');
    git(maintainer, 'commit', '-q', '-m', 'genesis: round1 from alice (#1)');
    git(maintainer, 'push', '-q', 'origin', 'main');
    const pullLine = /`(git -C .* pull --ff-only upstream main)`/.exec(r.stdout)![1];
    const pulled = spawnSync('sh', ['-c', pullLine], { encoding: 'utf8' });
    expect(pulled.status, pulled.stderr).toBe(0);
    expect(existsSync(join(dir, 'ceremonies/genesis/round1/alice.json'))).toBe(true);
    expect(git(dir, 'branch', '--show-current').trim()).toBe('main');
  });

  it('a step refuses a directory that is not a git checkout, writing nothing', async () => {
    const plain = tempDir('sss-plain-');
    const r = await cliAsync(round1(plain));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not a git checkout: clone the ceremony repository \(or your fork of it\)/);
    expect(readdirSync(plain)).toEqual([]);
    const sub = join(maintainer, 'ceremonies');
    const inside = await cliAsync(round1(sub));
    expect(inside.code).toBe(1);
    expect(inside.stderr).toMatch(/is inside the git checkout .*, not at its top/);
  });

  it('the token reaches git through a credential helper and the environment, never argv', () => {
    const token = 'ghp_secretvalue123';
    const auth = tokenAuth(token);
    expect(auth.args.join(' ')).not.toContain(token);
    const fill = spawnSync('git', [...auth.args, 'credential', 'fill'], {
      input: 'protocol=https\nhost=github.com\n\n',
      env: { ...process.env, ...auth.env },
      encoding: 'utf8',
    });
    expect(fill.status, fill.stderr).toBe(0);
    expect(fill.stdout).toContain('username=x-access-token');
    expect(fill.stdout).toContain(`password=${token}`);
    // Another host is never offered the token (a mirror, a redirect): git asks nobody and fails.
    const elsewhere = spawnSync('git', [...auth.args, 'credential', 'fill'], {
      input: 'protocol=https\nhost=mirror.example\n\n',
      env: { ...process.env, ...auth.env },
      encoding: 'utf8',
    });
    expect(elsewhere.stdout).not.toContain(token);
  });
});
