/**
 * A whole 2-of-3 genesis through the GitHub stand-in with `main` protected as docs/maintainers.md
 * says: direct pushes are refused, and a pull request merges only through the merge API once the
 * required check `validate` has reported success on its head. The harness plays GitHub Actions: a
 * pull request opened or pushed with a token that starts workflows gets the real bundle run on its
 * merge checkout, and the outcome is reported as the check. Every step lands, public_info/ too,
 * and nobody bypasses anything: the publish pull request is opened by a GitHub App's token and
 * merged like any other.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from '../src/github/api.js';
import { LocalGitHub, LocalPull, startLocalGitHub } from '../dev/local-github.js';
import { cleanupTempDirs, git } from './helpers.js';
import {
  ActionRun,
  REPOSITORY,
  checkoutPullRequest,
  cloneOf,
  newOrigin,
  okAsync,
  pullRequestEvent,
  pushEvent,
  runAction,
} from './action-helpers.js';
import {
  dkgStepArgs,
  initializeAll,
  registerSigningKey,
  submitStep,
  writeDkgManifest,
} from './support/pull-requests.js';

const PEOPLE = ['alice', 'bob', 'carol'];
const R = { owner: 'proofofcloud', repo: 'ceremonies' };
const APP = 'sss-publish[bot]';
const TOKENS = {
  'test-token': { login: 'github-actions[bot]', type: 'Bot' as const },
  'app-token': { login: APP, type: 'Bot' as const },
  'maintainer-token': { login: 'maintainer', type: 'User' as const },
  ...Object.fromEntries(PEOPLE.map((p) => [`token-of-${p}`, { login: p, type: 'User' as const }])),
};

let gh: LocalGitHub;
let root: string;
let origin: string;
let maintainer: string;
let runner: string;
const checks: { number: number; author: string; run: ActionRun }[] = [];
const publishRuns: ActionRun[] = [];
let refusedPush = '';

/** GitHub Actions' part: the workflow runs on the pull request's merge checkout and reports `validate`. */
async function checkPullRequest(pr: LocalPull): Promise<ActionRun> {
  // The workflow token's own pull requests start no workflow: a check would never report on them.
  if (pr.user.login === 'github-actions[bot]')
    throw new Error(`pull request #${pr.number} was opened with the workflow token: no check would run`);
  const baseSha = checkoutPullRequest(runner, pr.head);
  const run = await runAction({
    workspace: runner,
    eventName: 'pull_request',
    event: pullRequestEvent({ number: pr.number, author: pr.user.login, baseSha, headRef: pr.head }),
    apiUrl: gh.url,
    inputs: { maintainers: 'maintainer' },
  });
  checks.push({ number: pr.number, author: pr.user.login, run });
  gh.reportCheck(gh.pullHead(pr.number)!, 'validate', run.code === 0 ? 'success' : 'failure');
  return run;
}

/** The maintainer presses "Merge" (the API refuses unless the check passed); then the push run. */
async function mergeAndPublish(pr: LocalPull): Promise<void> {
  await client('maintainer-token', gh.url).rest.pulls.merge({ ...R, pull_number: pr.number, merge_method: 'merge' });
  const publisher = cloneOf(origin, join(root, `publisher-${pr.number}`), 'publisher');
  const run = await runAction({
    workspace: publisher,
    eventName: 'push',
    event: pushEvent(),
    apiUrl: gh.url,
    inputs: { maintainers: 'maintainer', 'publish-via': 'pull-request', 'publish-token': 'app-token' },
  });
  publishRuns.push(run);
  if (run.code !== 0) throw new Error(`publish run after #${pr.number} failed:\n${run.stdout}`);
}

async function land(pr: LocalPull): Promise<void> {
  const run = await checkPullRequest(pr);
  if (run.code !== 0) throw new Error(`pull request #${pr.number} (${pr.head}) failed its check:\n${run.stdout}`);
  await mergeAndPublish(pr);
}

beforeAll(async () => {
  ({ root, origin, maintainer } = newOrigin());
  gh = await startLocalGitHub({
    repos: { [REPOSITORY]: origin },
    protect: { branch: 'main', requiredChecks: ['validate'] },
    tokens: TOKENS,
  });
  runner = cloneOf(origin, join(root, 'runner'), 'runner');

  // The maintainer tries the old way first: a direct push is refused.
  writeDkgManifest(maintainer);
  git(maintainer, 'checkout', '-q', '-b', 'open-genesis');
  git(maintainer, 'add', '.');
  git(maintainer, 'commit', '-q', '-m', 'Open ceremony genesis');
  try {
    git(maintainer, 'push', '-q', 'origin', 'HEAD:main');
  } catch (e) {
    refusedPush = (e as Error).message;
  }
  git(maintainer, 'push', '-q', 'origin', 'open-genesis');
  const opened = await client('maintainer-token', gh.url).rest.pulls.create({
    ...R,
    head: 'open-genesis',
    base: 'main',
    title: 'Open ceremony genesis',
  });
  await land(gh.pulls.find((p) => p.number === opened.data.number)!);

  const home = (p: string) => join(root, 'homes', p);
  await initializeAll(PEOPLE, home);
  // Each participant registers its artifact signing key on its account, as `gh ssh-key add` would.
  for (const p of PEOPLE) registerSigningKey(gh, p, home(p));
  const clones = Object.fromEntries(PEOPLE.map((p) => [p, cloneOf(origin, join(root, 'clones', p), p)]));
  for (const step of ['round1', 'round2', 'finalize'] as const) {
    for (const p of PEOPLE) {
      git(clones[p], 'pull', '-q', 'origin', 'main');
      const submitter = { apiUrl: gh.url, token: `token-of-${p}`, home: home(p), clone: clones[p] };
      await submitStep(submitter, dkgStepArgs(step, clones[p]));
      await land(gh.pulls.find((x) => x.head === `ceremony/genesis/${step}/${p}`)!);
    }
  }
  // The last push run opened the publish pull request with the app's token: it is checked and merged like any other.
  const publishPr = gh.pulls.find((p) => p.head === 'sss-tool/public-info' && p.state === 'open');
  if (!publishPr) throw new Error(`no publish pull request:\n${publishRuns.at(-1)?.stdout}`);
  await land(publishPr);
  git(maintainer, 'fetch', '-q', 'origin');
}, 240_000);

afterAll(async () => {
  await gh.close();
  cleanupTempDirs();
});

describe('a genesis under branch protection, with no bypass', () => {
  it('refuses a direct push to main', () => {
    expect(refusedPush).toMatch(/Protected branch update failed for refs\/heads\/main/);
  });

  it('lands every step through a checked pull request and the merge API: main is nothing but merges', () => {
    expect(checks.map((c) => c.author)).toEqual([
      'maintainer',
      ...['round1', 'round2', 'finalize'].flatMap(() => PEOPLE),
      APP,
    ]);
    for (const c of checks) expect(c.run.code, c.run.stdout).toBe(0);
    expect(gh.pulls.every((p) => p.merged)).toBe(true);
    const subjects = git(maintainer, 'log', '--first-parent', '--format=%s', 'origin/main').trim().split('\n');
    expect(subjects.pop()).toBe('Start'); // the commit before protection was switched on
    expect(subjects).toHaveLength(11);
    expect(subjects.every((s) => /^Merge pull request #\d+ from /.test(s))).toBe(true);
  });

  it('publishes public_info/ through a pull request the publish app opened, whose check passed', () => {
    const pr = gh.pulls.find((p) => p.head === 'sss-tool/public-info')!;
    expect(pr.user.login).toBe(APP);
    expect(
      gh.requests.some(
        (q) => q.method === 'POST' && q.path === `/repos/${REPOSITORY}/pulls` && q.authorization === 'token app-token',
      ),
    ).toBe(true);
    const check = checks.find((c) => c.number === pr.number)!;
    expect(check.run.summary).toContain('✅ **Valid**');
    const files = git(maintainer, 'ls-tree', '--name-only', 'origin/main', 'public_info/').trim().split('\n');
    expect(files).toEqual(['public_info/group.json', 'public_info/peers_list.txt', 'public_info/public_key.txt']);
    const key = git(maintainer, 'show', 'origin/main:public_info/public_key.txt').trim();
    expect(key).toBe(JSON.parse(git(maintainer, 'show', 'origin/main:public_info/group.json')).publicKey);
    expect(git(maintainer, 'show', 'origin/main:public_info/peers_list.txt')).toBe(
      'https://alice.example\nhttps://bob.example\nhttps://carol.example\n',
    );
  });

  it('the push run after the publish merge has nothing to do', () => {
    const last = publishRuns.at(-1)!;
    expect(last.summary).toMatch(/<code>public&#95;info\/<\/code> is up to date with the transcript/);
    expect(gh.pulls.filter((p) => p.head === 'sss-tool/public-info')).toHaveLength(1);
  });

  it('publish-via commit that loses a race regenerates on the new tip, and finds it already published', async () => {
    const dir = cloneOf(origin, join(root, 'late-publisher'), 'publisher');
    git(dir, 'checkout', '-q', '--detach', 'HEAD~1'); // main as it was before the publish pull request merged
    const run = await runAction({
      workspace: dir,
      eventName: 'push',
      event: pushEvent(),
      apiUrl: gh.url,
      inputs: { maintainers: 'maintainer', 'publish-via': 'commit' },
    });
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain('main moved while publishing: regenerating on its new tip (attempt 2 of 4).');
    expect(run.summary).toMatch(
      /Pushing <code>public&#95;info\/public&#95;key\.txt<\/code>.* to <code>main<\/code> \([0-9a-f]{12}\), attempt 1\.\n[^]*### Attempt 2, on the new tip of <code>main<\/code>/,
    );
    expect(run.summary).toMatch(/<code>public&#95;info\/<\/code> is up to date with the transcript/);
    expect(git(dir, 'rev-parse', 'HEAD').trim()).toBe(git(maintainer, 'rev-parse', 'origin/main').trim());
  });

  it('publish-via commit on a protected branch fails, saying what to do, after writing its summary', async () => {
    // Another protected copy of the repository, at the last finalize merge: complete, not yet published.
    const copy = join(root, 'copy.git');
    git(root, 'clone', '-q', '--bare', origin, copy);
    git(copy, 'update-ref', 'refs/heads/main', git(maintainer, 'rev-parse', 'origin/main~1').trim());
    const gh2 = await startLocalGitHub({
      repos: { [REPOSITORY]: copy },
      protect: { branch: 'main', requiredChecks: ['validate'] },
    });
    try {
      const dir = cloneOf(copy, join(root, 'commit-publisher'), 'publisher');
      const run = await runAction({
        workspace: dir,
        eventName: 'push',
        event: pushEvent(),
        apiUrl: gh2.url,
        inputs: { maintainers: 'maintainer', 'publish-via': 'commit' },
      });
      expect(run.code).not.toBe(0);
      expect(run.stdout).toMatch(
        /::error::.*could not push public_info\/ to main: remote: error: GH006: Protected branch update failed for refs\/heads\/main\. main is protected: publish with publish-via: pull-request and a publish-token/,
      );
      expect(run.summary).toMatch(/Pushing <code>public&#95;info\/public&#95;key\.txt<\/code>.* to <code>main<\/code>/);
      expect(run.summary).toContain('❌ The push to <code>main</code> failed');
      expect(git(copy, 'rev-parse', 'main').trim()).toBe(git(maintainer, 'rev-parse', 'origin/main~1').trim());
    } finally {
      await gh2.close();
    }
  });

  it('any participant opens the publish pull request by hand (publish --submit): it passes the check and merges', async () => {
    const copy = join(root, 'copy-submit.git');
    git(root, 'clone', '-q', '--bare', origin, copy);
    git(copy, 'update-ref', 'refs/heads/main', git(maintainer, 'rev-parse', 'origin/main~1').trim());
    const gh2 = await startLocalGitHub({
      repos: { [REPOSITORY]: copy },
      protect: { branch: 'main', requiredChecks: ['validate'] },
      tokens: TOKENS,
    });
    try {
      const alice = cloneOf(copy, join(root, 'alice-publishes'), 'alice');
      const env = { GITHUB_API_URL: gh2.url, GITHUB_TOKEN: 'token-of-alice' };
      const r = await okAsync(
        ['publish', '--ceremony', 'genesis', '--submit', '--github-repo', REPOSITORY, '--repo', alice, '--json'],
        env,
      );
      const out = JSON.parse(r.stdout);
      expect(out).toMatchObject({ submitted: true, pullRequest: 1 });
      const pr = gh2.pulls[0];
      expect([pr.head, pr.user.login, pr.title]).toEqual([
        'sss-tool/public-info',
        'alice',
        'Publish public_info: genesis',
      ]);
      expect(git(copy, 'diff', '--name-only', 'main', 'sss-tool/public-info').trim().split('\n')).toEqual([
        'public_info/group.json',
        'public_info/peers_list.txt',
        'public_info/public_key.txt',
      ]);
      // The check, as the workflow would run it, with maintainers configured: alice is not one.
      const runner2 = cloneOf(copy, join(root, 'runner-submit'), 'runner');
      const baseSha = checkoutPullRequest(runner2, pr.head);
      const check = await runAction({
        workspace: runner2,
        eventName: 'pull_request',
        event: pullRequestEvent({ number: pr.number, author: 'alice', baseSha, headRef: pr.head }),
        apiUrl: gh2.url,
        inputs: { maintainers: 'maintainer' },
      });
      expect(check.code, check.stdout).toBe(0);
      gh2.reportCheck(gh2.pullHead(pr.number)!, 'validate', 'success');
      await client('maintainer-token', gh2.url).rest.pulls.merge({ ...R, pull_number: pr.number });
      expect(git(copy, 'show', 'main:public_info/public_key.txt')).toBe(
        git(maintainer, 'show', 'origin/main:public_info/public_key.txt'),
      );
      // A second --submit finds main up to date.
      git(alice, 'pull', '-q', 'origin', 'main');
      const again = JSON.parse(
        (
          await okAsync(
            ['publish', '--ceremony', 'genesis', '--submit', '--github-repo', REPOSITORY, '--repo', alice, '--json'],
            env,
          )
        ).stdout,
      );
      expect(again).toMatchObject({ submitted: false, changed: [] });
    } finally {
      await gh2.close();
    }
  });
});
