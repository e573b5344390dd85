/**
 * The local GitHub stand-in behaves like GitHub where sss-tool can tell, through the same Octokit
 * client (with its retry and throttling plugins) the CLI and the Action use: pagination, the
 * error statuses, the pull-request filters, and branch protection over a real bare repository.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, httpStatus, isRateLimited, upsertPullRequest } from '../src/github/api.js';
import { LocalGitHub, startLocalGitHub } from '../dev/local-github.js';
import { cleanupTempDirs, git } from './helpers.js';
import { newOrigin } from './action-helpers.js';

const R = { owner: 'proofofcloud', repo: 'ceremonies' };
let gh: LocalGitHub;
let origin: string;
let maintainer: string;

/** Commits one file on a new branch of the maintainer's clone and pushes it (a push GitHub accepts). */
function branchWith(branch: string, file: string): string {
  git(maintainer, 'checkout', '-q', '-B', branch, 'origin/main');
  writeFileSync(join(maintainer, file), `${file}\n`);
  git(maintainer, 'add', file);
  git(maintainer, 'commit', '-q', '-m', `add ${file}`);
  git(maintainer, 'push', '-q', 'origin', branch);
  return git(maintainer, 'rev-parse', 'HEAD').trim();
}

beforeAll(async () => {
  ({ origin, maintainer } = newOrigin());
  gh = await startLocalGitHub({
    repos: { 'proofofcloud/ceremonies': origin },
    protect: { branch: 'main', requiredChecks: ['validate'] },
    tokens: {
      'maintainer-token': { login: 'maintainer', type: 'User' },
      'bot-token': { login: 'github-actions[bot]', type: 'Bot' },
    },
  });
  git(maintainer, 'fetch', '-q', 'origin');
});

afterAll(async () => {
  await gh.close();
  cleanupTempDirs();
});

describe('the GitHub stand-in', () => {
  it('paginates lists with per_page and a Link header, and Octokit follows it', async () => {
    const o = client('bot-token', gh.url);
    for (let i = 0; i < 35; i++)
      await o.rest.issues.create({ ...R, title: `issue ${i}`, labels: i % 2 ? ['odd'] : [] });
    const first = await o.rest.issues.listForRepo({ ...R, per_page: 10 });
    expect(first.data.map((i) => i.title)).toEqual(Array.from({ length: 10 }, (_, i) => `issue ${i}`));
    expect(first.headers.link).toMatch(/[?&]page=2[^>]*>; rel="next"/);
    expect(first.headers.link).toMatch(/[?&]page=4[^>]*>; rel="last"/);
    expect((await o.rest.issues.listForRepo({ ...R })).data).toHaveLength(30);
    expect(await o.paginate(o.rest.issues.listForRepo, { ...R, per_page: 10 })).toHaveLength(35);
    expect(await o.paginate(o.rest.issues.listForRepo, { ...R, labels: 'odd', per_page: 100 })).toHaveLength(17);
  });

  it('creates, reads and updates issues and their comments, numbered with pull requests', async () => {
    const o = client('maintainer-token', gh.url);
    const made = await o.rest.issues.create({ ...R, title: 'genesis: round 1 is open', body: 'table' });
    expect(made.data.user?.login).toBe('maintainer');
    await o.rest.issues.update({ ...R, issue_number: made.data.number, body: 'new table', state: 'closed' });
    const got = await o.rest.issues.get({ ...R, issue_number: made.data.number });
    expect([got.data.body, got.data.state]).toEqual(['new table', 'closed']);
    for (let i = 0; i < 3; i++)
      await o.rest.issues.createComment({ ...R, issue_number: made.data.number, body: `c${i}` });
    const comments = await o.paginate(o.rest.issues.listComments, {
      ...R,
      issue_number: made.data.number,
      per_page: 2,
    });
    expect(comments.map((c) => c.body)).toEqual(['c0', 'c1', 'c2']);
    await o.rest.issues.updateComment({ ...R, comment_id: comments[1].id, body: 'edited' });
    expect((await o.rest.issues.getComment({ ...R, comment_id: comments[1].id })).data.body).toBe('edited');
  });

  it('answers 401 to a missing or unknown token', async () => {
    for (const token of ['', 'stolen-token']) {
      const e = await client(token, gh.url)
        .rest.issues.listForRepo({ ...R })
        .catch((x) => x);
      expect(httpStatus(e)).toBe(401);
    }
  });

  it('tells a missing permission (403) from an exhausted rate limit (403 with x-ratelimit-remaining: 0)', async () => {
    const o = client('bot-token', gh.url);
    gh.readOnly = true;
    const denied = await o.rest.issues.createComment({ ...R, issue_number: 1, body: 'x' }).catch((x) => x);
    gh.readOnly = false;
    expect([httpStatus(denied), isRateLimited(denied)]).toEqual([403, false]);
    gh.rateLimitRemaining = 0;
    const before = gh.requests.length;
    const limited = await o.rest.issues.listForRepo({ ...R }).catch((x) => x);
    gh.rateLimitRemaining = Infinity;
    expect([httpStatus(limited), isRateLimited(limited)]).toEqual([403, true]);
    expect(limited.response.headers['x-ratelimit-remaining']).toBe('0');
    // The throttling plugin waited for the reset and tried once more, then gave up.
    expect(gh.requests.length - before).toBe(2);
  });

  it('retries a 502 (the retry plugin) and succeeds', async () => {
    gh.failNext.push({ method: 'GET', path: /\/issues\/1$/, status: 502, message: 'Bad Gateway' });
    const got = await client('bot-token', gh.url).rest.issues.get({ ...R, issue_number: 1 });
    expect(got.data.number).toBe(1);
    expect(gh.failNext).toHaveLength(0);
  });

  it('answers 422 for a pull request with no commits and for a second one from the same head; filters by base and head', async () => {
    const o = client('maintainer-token', gh.url);
    git(maintainer, 'push', '-q', 'origin', 'origin/main:refs/heads/empty');
    const empty = await o.rest.pulls.create({ ...R, head: 'empty', base: 'main', title: 'nothing' }).catch((x) => x);
    expect(httpStatus(empty)).toBe(422);
    expect(JSON.stringify(empty.response.data)).toContain('No commits between main and proofofcloud:empty');
    branchWith('topic', 'topic.txt');
    const pr = await o.rest.pulls.create({ ...R, head: 'topic', base: 'main', title: 'topic' });
    const again = await o.rest.pulls.create({ ...R, head: 'topic', base: 'main', title: 'topic' }).catch((x) => x);
    expect(httpStatus(again)).toBe(422);
    expect(JSON.stringify(again.response.data)).toContain('A pull request already exists for proofofcloud:topic.');
    expect((await o.rest.pulls.list({ ...R, head: 'proofofcloud:topic' })).data.map((p) => p.number)).toEqual([
      pr.data.number,
    ]);
    expect((await o.rest.pulls.list({ ...R, head: 'someone:topic' })).data).toEqual([]);
    expect((await o.rest.pulls.list({ ...R, base: 'release' })).data).toEqual([]);
    // The upsert finds the open one and brings its title and body up to date.
    const up = await upsertPullRequest(o, R, { head: 'topic', base: 'main', title: 'topic, retitled', body: 'b' });
    expect(up).toMatchObject({ number: pr.data.number, action: 'updated' });
    expect(gh.pulls.find((p) => p.number === pr.data.number)!.title).toBe('topic, retitled');
  });

  it('protects main: a push is refused, and the merge API merges only after the required check succeeded', async () => {
    git(maintainer, 'checkout', '-q', '-B', 'direct', 'origin/main');
    writeFileSync(join(maintainer, 'direct.txt'), 'x\n');
    git(maintainer, 'add', 'direct.txt');
    git(maintainer, 'commit', '-q', '-m', 'direct');
    expect(() => git(maintainer, 'push', '-q', 'origin', 'HEAD:main')).toThrow(/Protected branch update failed/);

    const o = client('maintainer-token', gh.url);
    const head = branchWith('checked', 'checked.txt');
    const pr = await o.rest.pulls.create({ ...R, head: 'checked', base: 'main', title: 'checked' });
    const merge = () => o.rest.pulls.merge({ ...R, pull_number: pr.data.number }).catch((x) => x);
    const none = await merge();
    expect([httpStatus(none), none.response.data.message]).toEqual([
      405,
      'Required status check "validate" is expected.',
    ]);
    gh.reportCheck(head, 'validate', 'failure');
    expect((await merge()).response.data.message).toBe('Required status check "validate" is failing.');
    gh.reportCheck(head, 'validate', 'success');
    const before = git(origin, 'rev-parse', 'main').trim();
    const merged = await o.rest.pulls.merge({ ...R, pull_number: pr.data.number });
    expect(merged.data.merged).toBe(true);
    expect(git(origin, 'rev-parse', 'main').trim()).toBe(merged.data.sha);
    expect(git(origin, 'log', '-1', '--format=%P', 'main').trim()).toBe(`${before} ${head}`);
    expect(gh.pulls.find((p) => p.number === pr.data.number)).toMatchObject({ state: 'closed', merged: true });
    // A merged pull request does not merge twice.
    expect(httpStatus(await merge())).toBe(405);
  });
});
