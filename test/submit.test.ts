/**
 * `--submit`: a participant's step becomes a branch with exactly their new files, pushed to the
 * remote, and a pull request opened through the API (here a local server standing in for GitHub).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoFromRemoteUrl } from '../src/github/api.js';
import { LocalGitHub, startLocalGitHub } from '../dev/local-github.js';
import { targetRepository } from '../src/cli/submit.js';
import { cleanupTempDirs, git, tempDir } from './helpers.js';
import { cliAsync, cloneOf, newOrigin, okAsync } from './action-helpers.js';

let gh: LocalGitHub;
let origin: string;
let clone: string;
let home: string;
const round1 = (ceremony: string, ...extra: string[]) => [
  'dkg-round1',
  '--threshold',
  '2',
  '--participants',
  '3',
  '--ceremony',
  ceremony,
  '--home',
  home,
  '--repo',
  clone,
  ...extra,
];
const remoteBranches = () => git(origin, 'for-each-ref', '--format=%(refname)', 'refs/heads').trim().split('\n');

beforeAll(async () => {
  gh = await startLocalGitHub();
  const o = newOrigin();
  origin = o.origin;
  clone = cloneOf(origin, join(o.root, 'alice'), 'alice');
  home = join(o.root, 'home');
  await okAsync(['initialize', '--moniker', 'alice', '--github', 'alice', '--home', home]);
});

afterAll(async () => {
  await gh?.close();
  cleanupTempDirs();
});

describe('--submit', () => {
  it('without --submit, prints the exact git commands', async () => {
    const r = await okAsync(round1('printed'));
    expect(r.stdout).toContain(`git -C ${clone} switch -c ceremony/printed/round1/alice origin/HEAD`);
    expect(r.stdout).toContain(
      `git -C ${clone} add ceremonies/printed/ceremony.json ceremonies/printed/round1/alice.json`,
    );
    expect(r.stdout).toContain(`git -C ${clone} commit -m "printed: round1 from alice"`);
    expect(r.stdout).toContain(`git -C ${clone} push origin ceremony/printed/round1/alice`);
  });

  it('refuses, before pushing anything, when it cannot name the GitHub repository or find a token', async () => {
    const noRepo = await cliAsync(round1('genesis', '--submit'), { GITHUB_TOKEN: 't', GITHUB_API_URL: gh.url });
    expect(noRepo.code).toBe(1);
    expect(noRepo.stderr).toMatch(
      /cannot tell the GitHub repository from the remote's URL .*origin\.git: pass --github-repo owner\/name/,
    );
    const noToken = await cliAsync(round1('genesis', '--submit', '--github-repo', 'o/r'), {
      GH_CONFIG_DIR: tempDir(),
      GITHUB_API_URL: gh.url,
    });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/no GitHub token: set GITHUB_TOKEN, or log in with `gh auth login`/);
    expect(remoteBranches()).toEqual(['refs/heads/main']);
    expect(gh.requests).toHaveLength(0);
  });

  it("pushes a branch with exactly the step's new files on the remote's main and opens a pull request", async () => {
    const r = await okAsync(round1('genesis', '--submit'), {
      GITHUB_TOKEN: 'alice-token',
      GITHUB_API_URL: gh.url,
      SSS_TOOL_GITHUB_REPOSITORY: 'proofofcloud/ceremonies',
    });
    expect(r.stdout).toContain('Opened pull request #1: https://github.invalid/proofofcloud/ceremonies/pull/1');
    const branch = 'ceremony/genesis/round1/alice';
    expect(remoteBranches()).toContain(`refs/heads/${branch}`);
    expect(git(origin, 'diff', '--name-only', 'main', branch).trim().split('\n')).toEqual([
      'ceremonies/genesis/ceremony.json',
      'ceremonies/genesis/round1/alice.json',
    ]);
    expect(git(origin, 'log', '-1', '--format=%s%n%P%n%an', branch).trim().split('\n')).toEqual([
      'genesis: round1 from alice',
      git(origin, 'rev-parse', 'main').trim(),
      'alice',
    ]);
    const post = gh.requests.find((q) => q.method === 'POST');
    expect(post).toMatchObject({
      path: '/repos/proofofcloud/ceremonies/pulls',
      authorization: 'token alice-token',
      body: { head: branch, base: 'main', title: 'genesis: round1 from alice' },
    });
    // The checkout stays on its branch, and the files moved to the pull request's branch.
    expect(git(clone, 'branch', '--show-current').trim()).toBe('main');
    expect(existsSync(join(clone, 'ceremonies/genesis/round1/alice.json'))).toBe(false);
    expect(git(clone, 'status', '--porcelain', '-uall').trim().split('\n')).toEqual([
      '?? ceremonies/printed/ceremony.json',
      '?? ceremonies/printed/round1/alice.json',
    ]);
  });

  it('a second --submit of the same step updates the branch and finds the open pull request', async () => {
    const before = gh.pulls.length;
    const r = await okAsync(round1('genesis', '--submit', '--github-repo', 'proofofcloud/ceremonies'), {
      GITHUB_TOKEN: 'alice-token',
      GITHUB_API_URL: gh.url,
    });
    expect(r.stdout).toContain('Round 1 was already done');
    expect(r.stdout).toContain('Updated pull request #1');
    expect(gh.pulls.length).toBe(before);
  });

  it('reads owner/name from GitHub remote URLs', () => {
    for (const url of [
      'https://github.com/proofofcloud/trust-server.git',
      'https://x-access-token:abc@github.com/proofofcloud/trust-server',
      'git@github.com:proofofcloud/trust-server.git',
      'ssh://git@github.com/proofofcloud/trust-server.git',
    ])
      expect(repoFromRemoteUrl(url)).toEqual({ owner: 'proofofcloud', repo: 'trust-server' });
    expect(repoFromRemoteUrl('/tmp/origin.git')).toBeUndefined();
    expect(targetRepository({ githubRepo: 'a/b' }, 'git@github.com:c/d.git')).toEqual({ owner: 'a', repo: 'b' });
    expect(targetRepository({}, 'git@github.com:c/d.git', {})).toEqual({ owner: 'c', repo: 'd' });
    expect(() => targetRepository({ githubRepo: 'nope' }, '')).toThrow(/expected owner\/name/);
  });
});
