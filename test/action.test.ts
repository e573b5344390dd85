/**
 * The Action end to end: a 2-of-3 genesis ceremony where every participant runs the real CLI with
 * --submit against a bare origin and a local GitHub API, the real bundle (dist/index.js) validates
 * each pull request before a maintainer merges it, and publishes public_info/ after the last merge.
 * Every malicious pull request below is derived from that ceremony and must be rejected, naming
 * the file and the reason.
 */
import { readFileSync, symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalGitHub, LocalGitHub } from '../dev/local-github.js';
import { cleanupTempDirs, git, tempDir } from './helpers.js';
import { mdCode } from '../src/ceremony/markdown.js';
import { plainText } from './markdown-helpers.js';
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
  PullRequestSpec,
  dkgStepArgs,
  expectAnnotated,
  initializeAll,
  openCeremonyOnMain,
  registerSigningKey,
  submitStep,
  validateAndMergeEach,
  validatePullRequest,
  writeIn as write,
} from './support/pull-requests.js';

const CEREMONY = 'genesis';
const PEOPLE = ['alice', 'bob', 'carol'];
const MAINTAINER = 'maintainer';
const C = `ceremonies/${CEREMONY}`;

let gh: LocalGitHub;
let origin: string;
let maintainer: string;
let root: string;
const home = (p: string) => join(root, 'homes', p);
/** main at each point of the ceremony. */
const snap: Record<string, string> = {};
const honest: { step: string; moniker: string; number: number; run: ActionRun }[] = [];
let publishRun: ActionRun;
let publishCommit: string;

const show = (rev: string, path: string) => git(maintainer, 'show', `${rev}:${path}`);
const mainHead = () => git(maintainer, 'rev-parse', 'HEAD').trim();

beforeAll(async () => {
  gh = await startLocalGitHub();
  ({ root, origin, maintainer } = newOrigin());
  // The maintainer opens the ceremony; participants only add their own artifacts.
  snap.opened = openCeremonyOnMain(maintainer, { ceremony: CEREMONY });

  await initializeAll(PEOPLE, home);
  // Each registers the signing key on their GitHub account, as `gh ssh-key add --type signing` would.
  for (const p of PEOPLE) registerSigningKey(gh, p, home(p));
  const clones = Object.fromEntries(PEOPLE.map((p) => [p, cloneOf(origin, join(root, 'clones', p), p)]));
  const runner = cloneOf(origin, join(root, 'runner'), 'runner');
  for (const step of ['round1', 'round2', 'finalize'] as const) {
    for (const p of PEOPLE) {
      git(clones[p], 'pull', '-q', 'origin', 'main');
      const submitter = { apiUrl: gh.url, token: `token-of-${p}`, home: home(p), clone: clones[p] };
      await submitStep(submitter, dkgStepArgs(step, clones[p], { ceremony: CEREMONY }));
    }
    await validateAndMergeEach({
      gh,
      runner,
      maintainer,
      branchPrefix: `ceremony/${CEREMONY}/${step}/`,
      maintainers: MAINTAINER,
      mergeMessage: (pr) => `Merge pull request #${pr.number}`,
      merged: (pr, moniker, run) => {
        honest.push({ step, moniker, number: pr.number, run });
        if (step === 'round1' && moniker === 'bob') snap.round1Partial = mainHead();
      },
    });
    snap[step] = mainHead();
  }

  // The push of the last merge: publish.
  const publisher = cloneOf(origin, join(root, 'publisher'), 'publisher');
  publishRun = await runAction({ workspace: publisher, eventName: 'push', event: pushEvent(), apiUrl: gh.url });
  git(maintainer, 'pull', '-q', 'origin', 'main');
  snap.published = mainHead();
  publishCommit = snap.published;
}, 120_000);

afterAll(async () => {
  await gh?.close();
  cleanupTempDirs();
});

/** A pull request made of `change` on top of `base`, validated by the bundle as `author` opened it. */
const pullRequest = (o: Omit<PullRequestSpec, 'origin' | 'apiUrl'>): Promise<ActionRun> =>
  validatePullRequest({ origin, apiUrl: gh.url, maintainers: MAINTAINER, ...o });

/** The run failed with an error annotation on `file` whose text matches `reason`, also in the summary. */
function expectRejected(r: ActionRun, file: string, reason: RegExp): void {
  expectAnnotated(r, file, reason);
  const row = r.summary.split('\n').find((l) => l.includes(mdCode(file)) && reason.test(plainText(l)));
  expect(row, `no summary row for ${file} matching ${reason}:\n${r.summary}`).toBeDefined();
}

describe('honest pull requests', () => {
  it("validates each of the ceremony's 9 pull requests with the real bundle before it is merged", () => {
    expect(honest.map((h) => `${h.step}/${h.moniker}`)).toEqual(
      ['round1', 'round2', 'finalize'].flatMap((s) => PEOPLE.map((p) => `${s}/${p}`)),
    );
    for (const h of honest) {
      expect(h.run.code).toBe(0);
      expect(h.run.summary).toContain(`## sss-tool: pull request #${h.number} by <code>&#64;${h.moniker}</code>`);
      expect(h.run.summary).toContain('✅ **Valid**');
      expect(h.run.summary).toContain('| participant | round1 | round2 | finalize |');
    }
    // What each merge would leave, as the outputs report it.
    expect(JSON.parse(honest[0].run.outputs.status)).toEqual({ genesis: 'round1' });
    expect(honest[0].run.summary).toMatch(/\*\*Awaiting:\*\* round 1 from 2 more participants\n/);
    expect(JSON.parse(honest[2].run.outputs.status)).toEqual({ genesis: 'round2' });
    expect(honest[8].run.outputs.completed).toBe('genesis');
    expect(honest[8].run.outputs['public-key']).toMatch(/^[0-9a-f]{64}$/);
  });

  it("opened each pull request through the API from the CLI's --submit, on a branch with exactly the step's file", () => {
    const posts = gh.requests.filter((r) => r.method === 'POST' && r.path === `/repos/${REPOSITORY}/pulls`);
    expect(posts).toHaveLength(9);
    expect(posts[0].body).toMatchObject({
      head: 'ceremony/genesis/round1/alice',
      base: 'main',
      title: 'genesis: round1 from alice',
    });
    expect(posts[0].authorization).toBe('token token-of-alice');
    const files = git(maintainer, 'diff', '--name-only', `${snap.opened}`, 'origin/ceremony/genesis/round1/alice')
      .trim()
      .split('\n');
    expect(files).toEqual([`${C}/round1/alice.json`]);
  });

  it('comments once per pull request, behind a hidden marker, and updates that comment on a re-run', async () => {
    const first = gh.requests.filter((r) => r.path === `/repos/${REPOSITORY}/issues/1/comments`);
    expect(first.map((r) => r.method)).toEqual(['GET', 'POST']);
    expect(String((first[1].body as { body: string }).body)).toMatch(
      /^<!-- sss-tool:status -->\n## sss-tool: pull request #1 by <code>&#64;alice<\/code>/,
    );
    expect(first[1].authorization).toBe('token test-token');
    const before = gh.requests.length;
    const runner = cloneOf(origin, join(tempDir(), 'runner'), 'runner');
    const baseSha = checkoutPullRequest(runner, 'ceremony/genesis/round1/alice');
    const again = await runAction({
      workspace: runner,
      eventName: 'pull_request',
      event: pullRequestEvent({ number: 1, author: 'alice', baseSha }),
      apiUrl: gh.url,
    });
    expect(again.code).toBe(0);
    const later = gh.requests.slice(before);
    expect(later.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /repos/${REPOSITORY}/issues/1/comments`,
      `PATCH /repos/${REPOSITORY}/issues/comments/${[...gh.comments.values()].find((c) => c.issue === 1)!.id}`,
    ]);
    expect([...gh.comments.values()].filter((c) => c.issue === 1)).toHaveLength(1);
  });

  it('validates a pull request from a fork, whose token cannot comment, and reports in the summary', async () => {
    gh.readOnly = true;
    try {
      const r = await pullRequest({
        base: snap.round1Partial,
        author: 'carol',
        fork: true,
        number: 50,
        change: (d) => write(d, `${C}/round1/carol.json`, show(snap.round1, `${C}/round1/carol.json`)),
      });
      expect(r.code, r.stdout).toBe(0);
      expect(r.summary).toContain('✅ **Valid**');
      expect(r.stdout).toMatch(/::notice::Cannot comment on pull request #50 \(HTTP 403/);
    } finally {
      gh.readOnly = false;
    }
  });

  it('refuses an identity that declares no GitHub login, even from a maintainer; a ceremony that opted out lets a maintainer vouch for it', async () => {
    const dave = home('dave');
    await okAsync(['initialize', '--moniker', 'dave', '--home', dave]);
    const change = async (d: string) => {
      await okAsync([
        'dkg-round1',
        '--threshold',
        '2',
        '--participants',
        '3',
        '--ceremony',
        CEREMONY,
        '--home',
        dave,
        '--repo',
        d,
      ]);
    };
    expectRejected(
      await pullRequest({ base: snap.opened, author: 'dave', change }),
      `${C}/round1/dave.json`,
      /dave declared no GitHub login/,
    );
    expectRejected(
      await pullRequest({ base: snap.opened, author: MAINTAINER, change }),
      `${C}/round1/dave.json`,
      /dave declared no GitHub login, but this ceremony binds every identity/,
    );
    // The opt-out counts only from a manifest merged before the identities arrive.
    const optOut = (d: string) =>
      write(
        d,
        `${C}/ceremony.json`,
        show(snap.opened, `${C}/ceremony.json`).replace(
          '"participants": 3',
          '"participants": 3,\n  "identityBinding": "pull-request-author"',
        ),
      );
    const byMaintainer = await pullRequest({ base: snap.opened, author: MAINTAINER, prepare: optOut, change });
    expect(byMaintainer.code, byMaintainer.stdout).toBe(0);
    expect(byMaintainer.summary).toMatch(
      /opts out of the SSH-signing-key binding .*bound by the pull request's author alone/,
    );
    expectRejected(
      await pullRequest({ base: snap.opened, author: 'dave', prepare: optOut, change }),
      `${C}/round1/dave.json`,
      /dave declared no GitHub login, so this pull request cannot be bound to them/,
    );
  });

  it('accepts a ceremony manifest from anyone when no maintainers are configured', async () => {
    const r = await pullRequest({
      base: snap.opened,
      author: 'carol',
      maintainers: '',
      change: (d) =>
        write(
          d,
          'ceremonies/other/ceremony.json',
          show(snap.opened, `${C}/ceremony.json`).replace('"genesis"', '"other"'),
        ),
    });
    expect(r.code, r.stdout).toBe(0);
  });

  it("accepts a maintainer's public_info/ that equals what the transcript yields", async () => {
    const r = await pullRequest({
      base: snap.finalize,
      author: MAINTAINER,
      change: async (d) => {
        await okAsync(['publish', '--ceremony', CEREMONY, '--repo', d]);
      },
    });
    expect(r.code, r.stdout).toBe(0);
  });
});

describe('malicious pull requests are rejected, naming the file and the reason', () => {
  it("an author submitting another participant's artifact", async () => {
    const r = await pullRequest({
      base: snap.round1Partial,
      author: 'bob',
      change: (d) => write(d, `${C}/round1/carol.json`, show(snap.round1, `${C}/round1/carol.json`)),
    });
    expectRejected(
      r,
      `${C}/round1/carol.json`,
      /submitted by @bob, but the artifact's author carol declared GitHub login @carol/,
    );
  });

  it('an edit of a merged artifact', async () => {
    const file = `${C}/round1/alice.json`;
    const r = await pullRequest({
      base: snap.finalize,
      author: 'alice',
      change: (d) => write(d, file, show(snap.finalize, file).replace('https://alice.example', 'https://evil.example')),
    });
    expectRejected(r, file, /changes a merged artifact: the transcript is append-only/);
  });

  it('a deletion', async () => {
    const file = `${C}/round2/bob.json`;
    const r = await pullRequest({ base: snap.finalize, author: 'bob', change: (d) => unlinkSync(join(d, file)) });
    expectRejected(r, file, /deletes a merged artifact: the transcript is append-only/);
  });

  it('a symlink', async () => {
    const file = `${C}/round1/carol.json`;
    const r = await pullRequest({
      base: snap.round1Partial,
      author: 'carol',
      change: (d) => symlinkSync('alice.json', join(d, file)),
    });
    expectRejected(r, file, /symbolic links are not allowed/);
  });

  it('an oversized file', async () => {
    const file = `${C}/round1/carol.json`;
    const r = await pullRequest({
      base: snap.round1Partial,
      author: 'carol',
      change: (d) => write(d, file, show(snap.round1, file) + ' '.repeat(600_000)),
    });
    expectRejected(r, file, /file is larger than 524288 bytes/);
  });

  it('a path outside the layout', async () => {
    const r = await pullRequest({
      base: snap.round1Partial,
      author: 'carol',
      change: (d) => {
        write(d, `${C}/round1/carol.txt`, 'hello\n');
        write(d, `${C}/approvals/carol.json`, '{}\n');
        write(d, 'scripts/setup.sh', 'echo hi\n');
      },
    });
    expectRejected(
      r,
      `${C}/round1/carol.txt`,
      /not part of the ceremony layout: a dkg ceremony holds ceremony.json, round1\/.*moniker.*\.json, round2/,
    );
    expectRejected(r, `${C}/approvals/carol.json`, /not part of the ceremony layout/);
    expectRejected(
      r,
      'scripts/setup.sh',
      /outside the ceremony layout: a participant's pull request only adds files under ceremonies\//,
    );
  });

  it('a private file: an age file, a JSON carrying a signing share, coefficients or nonces', async () => {
    const age = readFileSync(join(home('carol'), 'identity.age'));
    const r = await pullRequest({
      base: snap.round1Partial,
      author: 'carol',
      change: (d) => {
        write(d, `${C}/round1/carol.json`, age);
        write(
          d,
          `${C}/round1/dave.json`,
          `-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCg==\n-----END AGE ENCRYPTED FILE-----\n`,
        );
        write(
          d,
          `${C}/round2/carol.json`,
          JSON.stringify({ ceremony: CEREMONY, moniker: 'carol', signingShare: '11'.repeat(32) }),
        );
        write(
          d,
          `${C}/finalize/carol.json`,
          JSON.stringify({ moniker: 'carol', coefficients: ['22'.repeat(32), '33'.repeat(32)] }),
        );
        write(
          d,
          `${C}/round2/dave.json`,
          JSON.stringify({ moniker: 'dave', nonces: { hiding: '44'.repeat(32), binding: '55'.repeat(32) } }),
        );
      },
    });
    expectRejected(r, `${C}/round1/carol.json`, /private material: an age-encrypted file/);
    expectRejected(r, `${C}/round1/dave.json`, /private material: an armored age-encrypted file/);
    expectRejected(r, `${C}/round2/carol.json`, /private material: a signing share \(field signingShare\)/);
    expectRejected(r, `${C}/finalize/carol.json`, /private material: polynomial coefficients \(field coefficients\)/);
    expectRejected(r, `${C}/round2/dave.json`, /private material: signing nonces \(field nonces\)/);
  });

  it('a hand edit of public_info/ that disagrees with the transcript', async () => {
    const r = await pullRequest({
      base: snap.published,
      author: MAINTAINER,
      change: (d) => write(d, 'public_info/public_key.txt', 'ab'.repeat(32) + '\n'),
    });
    expectRejected(r, 'public_info/public_key.txt', /differs from what the transcript yields/);
    // A participant's public_info/-only pull request is judged by its bytes (the publish path)...
    const byParticipant = await pullRequest({
      base: snap.published,
      author: 'alice',
      change: (d) => write(d, 'public_info/peers_list.txt', 'https://alice.example\n'),
    });
    expectRejected(byParticipant, 'public_info/peers_list.txt', /differs from what the transcript yields/);
    // ...and with anything else beside it, public_info/ is a maintainer's.
    const mixed = await pullRequest({
      base: snap.published,
      author: 'alice',
      change: (d) => {
        write(d, 'public_info/peers_list.txt', 'alice https://alice.example\n');
        write(d, 'NOTES.md', 'hi\n');
      },
    });
    expectRejected(mixed, 'public_info/peers_list.txt', /only maintainers \(@maintainer\) may change public_info\//);
  });

  it('a round2 artifact before round1 has closed', async () => {
    // The pull request closes round 1 and starts round 2 at once: its own checkout looks complete,
    // so only the merge base shows round 2 came too early.
    const r = await pullRequest({
      base: snap.round1Partial,
      author: 'carol',
      change: (d) => {
        write(d, `${C}/round1/carol.json`, show(snap.round1, `${C}/round1/carol.json`));
        write(d, `${C}/round2/carol.json`, show(snap.round2, `${C}/round2/carol.json`));
      },
    });
    expectRejected(
      r,
      `${C}/round2/carol.json`,
      /round 2 before round 1 has closed \(2 of 3 round-1 artifacts merged\) on the base branch/,
    );
    const alone = await pullRequest({
      base: snap.round1Partial,
      author: 'alice',
      change: (d) => write(d, `${C}/round2/alice.json`, show(snap.round2, `${C}/round2/alice.json`)),
    });
    expectRejected(alone, `${C}/round2/alice.json`, /round 2 before round 1 has closed/);
  });

  it('an artifact replayed from another ceremony', async () => {
    const r = await pullRequest({
      base: snap.finalize,
      author: 'alice',
      prepare: (d) =>
        write(
          d,
          'ceremonies/second/ceremony.json',
          show(snap.opened, `${C}/ceremony.json`).replace('"genesis"', '"second"'),
        ),
      change: (d) => write(d, 'ceremonies/second/round1/alice.json', show(snap.finalize, `${C}/round1/alice.json`)),
    });
    expectRejected(r, 'ceremonies/second/round1/alice.json', /artifact belongs to ceremony genesis, not second/);
  });

  it('a second artifact from the same participant for the same round', async () => {
    const second = home('alice-again');
    await okAsync(['initialize', '--moniker', 'alice2', '--github', 'alice', '--home', second]);
    const r = await pullRequest({
      base: snap.round1Partial,
      author: 'alice',
      change: async (d) => {
        await okAsync([
          'dkg-round1',
          '--threshold',
          '2',
          '--participants',
          '3',
          '--ceremony',
          CEREMONY,
          '--home',
          second,
          '--repo',
          d,
        ]);
      },
    });
    expectRejected(
      r,
      `${C}/round1/alice2.json`,
      /@alice already has an artifact for round1 in this ceremony \(ceremonies\/genesis\/round1\/alice.json, as alice\): one artifact per participant per round/,
    );
  });

  it('a ceremony manifest from a non-maintainer when an allow-list is configured', async () => {
    const r = await pullRequest({
      base: snap.opened,
      author: 'carol',
      change: (d) =>
        write(
          d,
          'ceremonies/other/ceremony.json',
          show(snap.opened, `${C}/ceremony.json`).replace('"genesis"', '"other"'),
        ),
    });
    expectRejected(
      r,
      'ceremonies/other/ceremony.json',
      /only maintainers \(@maintainer\) may add a ceremony manifest, not @carol/,
    );
  });

  it('refuses to run on pull_request_target', async () => {
    const r = await runAction({
      workspace: maintainer,
      eventName: 'pull_request_target',
      event: pullRequestEvent({ number: 7, author: 'alice', baseSha: snap.opened }),
      apiUrl: gh.url,
    });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/::error::.*refusing to run on pull_request_target/);
    // An explicit mode does not get around it.
    for (const mode of ['validate', 'publish', 'status']) {
      const m = await runAction({
        workspace: maintainer,
        eventName: 'pull_request_target',
        event: pullRequestEvent({ number: 7, author: 'alice', baseSha: snap.opened }),
        apiUrl: gh.url,
        inputs: { mode },
      });
      expect(m.code, mode).not.toBe(0);
      expect(m.stdout).toMatch(/::error::.*refusing to run on pull_request_target/);
    }
  });
});

describe('publishing on push to main', () => {
  it('commits public_info/ generated from the verified transcript', () => {
    expect(publishRun.code, publishRun.stdout).toBe(0);
    expect(git(maintainer, 'log', '-1', '--format=%an <%ae>%n%s', publishCommit).trim()).toBe(
      'github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>\nPublish public_info: genesis',
    );
    expect(git(maintainer, 'diff', '--name-only', snap.finalize, publishCommit).trim().split('\n')).toEqual([
      'public_info/group.json',
      'public_info/peers_list.txt',
      'public_info/public_key.txt',
    ]);
    const key = readFileSync(join(maintainer, 'public_info', 'public_key.txt'), 'utf8');
    expect(key).toBe(readFileSync(join(home('alice'), 'trustserver_public_key.pub'), 'utf8'));
    expect(publishRun.outputs).toMatchObject({
      status: '{"genesis":"complete"}',
      completed: 'genesis',
      'public-key': key.trim(),
    });
    expect(readFileSync(join(maintainer, 'public_info', 'peers_list.txt'), 'utf8')).toBe(
      'https://alice.example\nhttps://bob.example\nhttps://carol.example\n',
    );
  });

  it('a second run with nothing new changes nothing', async () => {
    const dir = cloneOf(origin, join(tempDir(), 'again'), 'publisher');
    const before = gh.requests.length;
    const r = await runAction({ workspace: dir, eventName: 'push', event: pushEvent(), apiUrl: gh.url });
    expect(r.code, r.stdout).toBe(0);
    expect(r.summary).toContain('is up to date with the transcript: nothing to publish');
    expect(git(dir, 'status', '--porcelain')).toBe('');
    git(maintainer, 'fetch', '-q', 'origin');
    expect(git(maintainer, 'rev-parse', 'origin/main').trim()).toBe(publishCommit);
    // Only reads: the tracking issues and the open pull requests.
    expect(gh.requests.slice(before).filter((q) => q.method !== 'GET')).toEqual([]);
  });

  it('opens one pull request with public_info/ when publish-via is pull-request, and a rerun opens no second', async () => {
    const runOnce = async () => {
      const dir = cloneOf(origin, join(tempDir(), 'pr'), 'publisher');
      git(dir, 'checkout', '-q', '--detach', snap.finalize);
      return runAction({
        workspace: dir,
        eventName: 'push',
        event: pushEvent(),
        apiUrl: gh.url,
        inputs: { 'publish-via': 'pull-request' },
      });
    };
    const first = await runOnce();
    expect(first.code, first.stdout).toBe(0);
    const opened = gh.pulls.filter((p) => p.head === 'sss-tool/public-info');
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ base: 'main', title: 'Publish public_info: genesis' });
    git(maintainer, 'fetch', '-q', 'origin');
    const branch = git(maintainer, 'rev-parse', 'origin/sss-tool/public-info').trim();
    expect(git(maintainer, 'diff', '--name-only', snap.finalize, branch).trim().split('\n')).toEqual([
      'public_info/group.json',
      'public_info/peers_list.txt',
      'public_info/public_key.txt',
    ]);
    const second = await runOnce();
    expect(second.code, second.stdout).toBe(0);
    expect(gh.pulls.filter((p) => p.head === 'sss-tool/public-info')).toHaveLength(1);
    git(maintainer, 'fetch', '-q', 'origin');
    expect(git(maintainer, 'rev-parse', 'origin/sss-tool/public-info').trim()).toBe(branch);
  });

  it('skips publishing in a fork', async () => {
    const dir = cloneOf(origin, join(tempDir(), 'fork'), 'publisher');
    git(dir, 'checkout', '-q', '--detach', snap.finalize);
    const r = await runAction({ workspace: dir, eventName: 'push', event: pushEvent({ fork: true }), apiUrl: gh.url });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/::notice::Publishing skipped: this repository is a fork/);
    expect(git(dir, 'rev-parse', 'HEAD').trim()).toBe(snap.finalize);
  });
});
