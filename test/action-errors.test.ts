/**
 * The Action's own run() through the real bundle: each way the run itself can be wrong (no pull
 * request in the event, no checkout, no merge base, bad inputs, no or bad token), the re-audit
 * that keeps an invalid transcript from being published, and escaping: nothing a pull request
 * carries can inject Markdown, HTML, a line, an @-mention or a workflow command.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalGitHub, startLocalGitHub } from '../dev/local-github.js';
import { cleanupTempDirs, git, tempDir } from './helpers.js';
import {
  checkoutPullRequest,
  cloneOf,
  newOrigin,
  okAsync,
  pullRequestEvent,
  pushEvent,
  runAction,
} from './action-helpers.js';
import { dkgStepArgs, initializeAll, openCeremonyOnMain } from './support/pull-requests.js';

const C = 'ceremonies/genesis';
let gh: LocalGitHub;
let root: string;
let origin: string;
let maintainer: string;

beforeAll(async () => {
  gh = await startLocalGitHub({ tokens: { 'test-token': { login: 'github-actions[bot]', type: 'Bot' } } });
  ({ root, origin, maintainer } = newOrigin());
  openCeremonyOnMain(maintainer);
});

afterAll(async () => {
  await gh.close();
  cleanupTempDirs();
});

/** A pull request branch with `files`, and the runner's merge checkout of it. */
function pullRequestWith(branch: string, files: Record<string, string>): { dir: string; baseSha: string } {
  const author = cloneOf(origin, join(root, `author-${branch}`), 'author');
  git(author, 'checkout', '-q', '-b', branch);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(author, path, '..'), { recursive: true });
    writeFileSync(join(author, path), text);
  }
  git(author, 'add', '-A');
  git(author, 'commit', '-q', '-m', branch);
  git(author, 'push', '-q', 'origin', branch);
  const dir = cloneOf(origin, join(root, `runner-${branch}`), 'runner');
  return { dir, baseSha: checkoutPullRequest(dir, branch) };
}

const errorLine = (stdout: string) => stdout.split('\n').find((l) => l.startsWith('::error::')) ?? '';

describe("run()'s own error paths", () => {
  it('a pull_request event without a pull request in its payload', async () => {
    const r = await runAction({ workspace: maintainer, eventName: 'pull_request', event: {}, apiUrl: gh.url });
    expect(r.code).not.toBe(0);
    expect(errorLine(r.stdout)).toBe('::error::validate needs a pull_request event (GITHUB_EVENT_PATH)');
  });

  it('a workspace that is not a git checkout', async () => {
    const dir = tempDir('sss-not-a-checkout-');
    const r = await runAction({
      workspace: dir,
      eventName: 'pull_request',
      event: pullRequestEvent({ number: 5, author: 'alice', baseSha: '0'.repeat(40) }),
      apiUrl: gh.url,
    });
    expect(r.code).not.toBe(0);
    expect(errorLine(r.stdout)).toBe(`::error::${dir} is not a git checkout`);
  });

  it("a checkout without the pull request's base commit (a shallow clone)", async () => {
    const missing = 'a'.repeat(40);
    const r = await runAction({
      workspace: maintainer,
      eventName: 'pull_request',
      event: pullRequestEvent({ number: 5, author: 'alice', baseSha: missing }),
      apiUrl: gh.url,
    });
    expect(r.code).not.toBe(0);
    expect(errorLine(r.stdout)).toBe(
      `::error::the checkout lacks the pull request's base commit ${missing}: use actions/checkout with fetch-depth: 0`,
    );
  });

  it('bad inputs, each named', async () => {
    const bad: [Record<string, string>, string][] = [
      [{ mode: 'judge' }, 'mode: expected auto, validate, publish or status, got "judge"'],
      [{ 'publish-via': 'push' }, 'publish-via: expected commit or pull-request, got "push"'],
      [
        { 'ceremonies-dir': '../elsewhere' },
        'ceremonies-dir: expected a directory inside the repository, got "../elsewhere"',
      ],
    ];
    for (const [inputs, message] of bad) {
      const r = await runAction({
        workspace: maintainer,
        eventName: 'workflow_dispatch',
        event: {},
        apiUrl: gh.url,
        inputs,
      });
      expect(r.code, JSON.stringify(inputs)).not.toBe(0);
      expect(errorLine(r.stdout)).toContain(message);
    }
  });

  it('no token: the pull request is still validated, and the report is in the summary only', async () => {
    const { dir, baseSha } = pullRequestWith('no-token', { 'NOTES.md': 'hi\n' });
    const r = await runAction({
      workspace: dir,
      eventName: 'pull_request',
      event: pullRequestEvent({ number: 7, author: 'maintainer', baseSha }),
      apiUrl: gh.url,
      inputs: { token: '', maintainers: 'maintainer' },
    });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('::notice::No token or repository: the report is in the job summary only.');
    expect(r.summary).toContain('✅ **Valid**');
  });

  it('a token GitHub does not know (401): a warning, not a fork notice, and the summary has the report', async () => {
    const { dir, baseSha } = pullRequestWith('bad-token', { 'NOTES2.md': 'hi\n' });
    const r = await runAction({
      workspace: dir,
      eventName: 'pull_request',
      event: pullRequestEvent({ number: 8, author: 'maintainer', baseSha }),
      apiUrl: gh.url,
      inputs: { token: 'expired', maintainers: 'maintainer' },
    });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/::warning::Could not comment on pull request #8: Bad credentials/);
    expect(r.stdout).not.toContain('fork');
  });

  it("a rate-limited API (403, x-ratelimit-remaining: 0) is reported as the rate limit, not as a fork's token", async () => {
    const { dir, baseSha } = pullRequestWith('limited', { 'NOTES3.md': 'hi\n' });
    gh.rateLimitRemaining = 0;
    try {
      const r = await runAction({
        workspace: dir,
        eventName: 'pull_request',
        event: pullRequestEvent({ number: 9, author: 'maintainer', baseSha }),
        apiUrl: gh.url,
        inputs: { maintainers: 'maintainer' },
      });
      expect(r.code, r.stdout).toBe(0);
      expect(r.stdout).toContain(
        "::warning::Could not comment on pull request #9: GitHub's API rate limit is exhausted (HTTP 403)",
      );
      expect(r.stdout).not.toContain('fork');
    } finally {
      gh.rateLimitRemaining = Infinity;
    }
  });
});

describe('the push run re-audits the whole transcript before publishing', () => {
  it('an over-full round merged past the check is never published: the run fails naming the file and how to recover', async () => {
    const people = ['alice', 'bob', 'carol', 'dave'];
    const publisher = cloneOf(origin, join(root, 'overfull'), 'publisher');
    mkdirSync(join(publisher, C, 'round1'), { recursive: true });
    const home = (p: string) => join(root, 'homes', p);
    await initializeAll(people, home);
    await Promise.all(
      people.map(async (p) => {
        const clone = cloneOf(origin, join(root, 'clones', p), p);
        await okAsync([...dkgStepArgs('round1', clone), '--home', home(p), '--repo', clone]);
        writeFileSync(join(publisher, C, 'round1', `${p}.json`), readFileSync(join(clone, C, 'round1', `${p}.json`)));
      }),
    );
    // Four round-1 artifacts for three seats, merged by someone with the power to bypass the check.
    git(publisher, 'add', '-A');
    git(publisher, 'commit', '-q', '-m', 'merged past the check');
    const head = git(publisher, 'rev-parse', 'HEAD').trim();
    const r = await runAction({ workspace: publisher, eventName: 'push', event: pushEvent(), apiUrl: gh.url });
    expect(r.code).not.toBe(0);
    expect(errorLine(r.stdout)).toMatch(
      /^::error::\d+ problems? in the transcript merged on main; nothing was published\. At fault: ceremonies\/genesis\/ceremony\.json\. First: .*4 participants published round 1 but the ceremony has 3.*a maintainer opens a new ceremony under a new id/,
    );
    expect(r.summary).toContain(
      '❌ **Nothing was published**: the merged transcript fails the audit. At fault: <code>ceremonies/genesis/ceremony.json</code>.',
    );
    expect(r.stdout).toMatch(
      /::error title=sss-tool%3A ceremonies\/genesis\/ceremony\.json,file=ceremonies\/genesis\/ceremony\.json,line=1::4 participants published round 1/,
    );
    // Nothing written, nothing committed, nothing pushed.
    expect(git(publisher, 'rev-parse', 'HEAD').trim()).toBe(head);
    expect(git(publisher, 'status', '--porcelain')).toBe('');
    expect(git(origin, 'log', '--format=%s', 'main').trim().split('\n')[0]).toBe('Open ceremony genesis');
  });
});

describe('escaping: a pull request cannot inject into the summary, the comment, annotations or the log', () => {
  it('file names and values with newlines, HTML, Markdown, bidi characters, @-mentions and #-references', async () => {
    const evil =
      'x\n## Injected @mallory <img src=x onerror=alert(1)> [click](https://evil.example) **bold** | cell #1 \u202eexe.json';
    const { dir, baseSha } = pullRequestWith('evil', {
      [`${C}/round1/${evil}`]: '{}\n',
      [`${C}/round1/alice.json`]:
        JSON.stringify({ format: `sss-tool/dkg-round1@1\n## Injected @mallory <b>x</b> [y](z)` }) + '\n',
      'ceremonies/@mallory <b>/ceremony.json': '{}\n',
    });
    const comments = gh.comments.size;
    const r = await runAction({
      workspace: dir,
      eventName: 'pull_request',
      event: pullRequestEvent({ number: 11, author: 'mallory', baseSha }),
      apiUrl: gh.url,
    });
    expect(r.code).not.toBe(0);
    const comment = [...gh.comments.values()].find((c) => c.issue === 11)!.body;
    expect(gh.comments.size).toBe(comments + 1);
    for (const [where, text] of [
      ['summary', r.summary],
      ['comment', comment],
    ]) {
      expect(text, where).not.toMatch(/^\s*#+ Injected/m);
      expect(text, where).not.toMatch(/<img|<b>/);
      expect(text, where).not.toMatch(/(^|[^\w&#;])@mallory/m);
      expect(text, where).not.toContain('\u202e');
      // Markdown is parsed inside <code> elements too: nowhere a link, emphasis or reference.
      const prose = text;
      expect(prose, where).not.toMatch(/(^|[^\\])\[click\]|(^|[^\\])\[y\]/);
      expect(prose, where).not.toMatch(/(^|[^\\])\*\*bold/);
      expect(prose, where).not.toMatch(/#1 /);
      // The names are still there, readable: escaped, not dropped.
      const codes = [...text.matchAll(/<code>([^<]*)<\/code>/g)].map((m) => decodeEntities(m[1]));
      expect(codes, where).toContain(
        'ceremonies/genesis/round1/x\\n## Injected @mallory <img src=x onerror=alert(1)> [click](https:/evil.example) **bold** | cell #1 \\u202eexe.json',
      );
    }
    // Every table row still has exactly its two cells.
    for (const row of r.summary.split('\n').filter((l) => l.startsWith('| ') && l.includes('ceremonies/')))
      expect(row.split(/(?<!\\)\|/).length, row).toBe(4);
    // The log: every line that looks like a workflow command is one of ours.
    for (const line of r.stdout.split('\n')) {
      expect(line).not.toMatch(/^\s*#+ Injected/);
      expect(line).not.toContain('\u202e');
      if (line.startsWith('::')) expect(line).toMatch(/^::(error|warning|notice)( [^:]*)?::/);
    }
  });
});

/** The text a browser shows for numeric character references. */
function decodeEntities(s: string): string {
  return s.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)));
}
