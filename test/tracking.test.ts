/**
 * The tracking issue end to end: a 2-of-3 genesis where participants run the real CLI with
 * --submit, a maintainer merges, and the real bundled Action (dist/index.js) runs on each push
 * against the stand-in. It opens one issue per ceremony, comments once when a round opens
 * (mentioning exactly the people it waits for) and otherwise edits the body in place, telling
 * "pull request open" from "not submitted". The pull-request comment links to the issue.
 *
 * With SSS_TOOL_TRACKING_SAMPLE=<file>, the issue as GitHub would show it mid-round 2 is written
 * there: that is the sample in docs/maintainers.md.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalGitHub, LocalIssue, startLocalGitHub } from '../dev/local-github.js';
import { cleanupTempDirs, git } from './helpers.js';
import {
  ActionRun,
  REPOSITORY,
  checkoutPullRequest,
  cloneOf,
  newOrigin,
  pullRequestEvent,
  pushEvent,
  runAction,
} from './action-helpers.js';
import { dkgStepArgs, initializeAll, openCeremonyOnMain, submitStep } from './support/pull-requests.js';

const PEOPLE = ['alice', 'bob', 'carol'];
const BOT = { login: 'github-actions[bot]', type: 'Bot' as const };

let gh: LocalGitHub;
let root: string;
let origin: string;
let maintainer: string;
let clones: Record<string, string>;
const home = (p: string) => join(root, 'homes', p);
const issue = (): LocalIssue => gh.issues.find((i) => i.title === 'Ceremony genesis: status')!;
const issueComments = () => [...gh.comments.values()].filter((c) => c.issue === issue().number).map((c) => c.body);
/** The @logins GitHub would notify for: outside code spans and outside link text. */
const mentions = (md: string) =>
  [
    ...md
      .replace(/`+[^`]*`+/g, '')
      .replace(/\[[^\]]*\]\([^)]*\)/g, '')
      .matchAll(/(?:^|[^\w`])@([A-Za-z0-9-]+)/g),
  ].map((m) => m[1]);

/** The run after a push to main. */
async function pushRun(): Promise<ActionRun> {
  const dir = cloneOf(
    origin,
    join(root, `publisher-${Date.now()}-${Math.random().toString(36).slice(2)}`),
    'publisher',
  );
  const run = await runAction({ workspace: dir, eventName: 'push', event: pushEvent(), apiUrl: gh.url });
  if (run.code !== 0) throw new Error(`push run failed:\n${run.stdout}\n${run.stderr}`);
  return run;
}

async function submit(p: string, args: string[]): Promise<void> {
  git(clones[p], 'pull', '-q', '--ff-only', 'origin', 'main');
  await submitStep({ apiUrl: gh.url, token: `${p}-token`, home: home(p), clone: clones[p] }, args);
}

/** The maintainer merges a participant's step branch; the pull request closes as merged. */
function merge(branch: string): void {
  git(maintainer, 'fetch', '-q', 'origin');
  git(maintainer, 'merge', '-q', '--no-ff', '-m', `Merge ${branch}`, `origin/${branch}`);
  git(maintainer, 'push', '-q', 'origin', 'main');
  const pr = gh.pulls.find((p) => p.head === branch && p.state === 'open')!;
  pr.state = 'closed';
  pr.merged = true;
}

const snapshots: Record<string, { body: string; comments: string[] }> = {};
let validateRun: ActionRun;

beforeAll(async () => {
  gh = await startLocalGitHub({
    tokens: {
      'test-token': BOT,
      ...Object.fromEntries(PEOPLE.map((p) => [`${p}-token`, { login: p, type: 'User' as const }])),
    },
  });
  ({ root, origin, maintainer } = newOrigin());
  openCeremonyOnMain(maintainer);
  await pushRun();
  snapshots.opened = { body: issue().body, comments: issueComments() };

  await initializeAll(PEOPLE, home, { endpoint: false });
  clones = Object.fromEntries(PEOPLE.map((p) => [p, cloneOf(origin, join(root, 'clones', p), p)]));
  for (const p of PEOPLE) await submit(p, dkgStepArgs('round1', clones[p]));
  // Two merged, one open: still round 1, no new comment.
  merge('ceremony/genesis/round1/alice');
  merge('ceremony/genesis/round1/bob');
  await pushRun();
  snapshots.round1 = { body: issue().body, comments: issueComments() };
  merge('ceremony/genesis/round1/carol');
  await pushRun();
  snapshots.round2Opened = { body: issue().body, comments: issueComments() };

  // Mid round 2: alice merged, bob's pull request open, carol has not submitted.
  await submit('alice', dkgStepArgs('round2', clones.alice));
  merge('ceremony/genesis/round2/alice');
  await submit('bob', dkgStepArgs('round2', clones.bob));
  await pushRun();
  snapshots.round2 = { body: issue().body, comments: issueComments() };

  const runner = cloneOf(origin, join(root, 'runner'), 'runner');
  const bobs = gh.pulls.find((p) => p.head === 'ceremony/genesis/round2/bob')!;
  const baseSha = checkoutPullRequest(runner, bobs.head);
  validateRun = await runAction({
    workspace: runner,
    eventName: 'pull_request',
    event: pullRequestEvent({ number: bobs.number, author: 'bob', baseSha }),
    apiUrl: gh.url,
  });

  // The rest of the ceremony: round 2 closes, finalize, complete.
  merge('ceremony/genesis/round2/bob');
  await submit('carol', dkgStepArgs('round2', clones.carol));
  merge('ceremony/genesis/round2/carol');
  await pushRun();
  snapshots.finalizeOpened = { body: issue().body, comments: issueComments() };
  for (const p of PEOPLE) {
    await submit(p, dkgStepArgs('finalize', clones[p]));
    merge(`ceremony/genesis/finalize/${p}`);
  }
  await pushRun();
  snapshots.complete = { body: issue().body, comments: issueComments() };
  await pushRun();
  snapshots.afterComplete = { body: issue().body, comments: issueComments() };

  const sample = process.env.SSS_TOOL_TRACKING_SAMPLE;
  if (sample) {
    const prComment = [...gh.comments.values()].find((c) => c.issue === bobs.number)?.body ?? '';
    writeFileSync(
      sample,
      [
        `# issue #${issue().number}: ${issue().title}`,
        snapshots.round2.body,
        ...snapshots.round2.comments.map((c, i) => `# comment ${i + 1}\n${c}`),
        `# pull request #${bobs.number}: the next-step line`,
        prComment
          .split('\n')
          .filter((l) => l.startsWith('**Next'))
          .join('\n'),
      ].join('\n\n'),
    );
  }
}, 240_000);

afterAll(async () => {
  await gh?.close();
  cleanupTempDirs();
});

describe('the tracking issue', () => {
  it('is opened by the first push run, once per ceremony, with a comment that round 1 is open', () => {
    expect(gh.issues.filter((i) => i.title === 'Ceremony genesis: status')).toHaveLength(1);
    expect(issue().user).toEqual(BOT);
    expect(issue().labels).toEqual(['sss-tool ceremony']);
    expect(snapshots.opened.comments).toHaveLength(1);
    expect(snapshots.opened.comments[0]).toContain('Round 1 of ceremony <code>genesis</code> is open.');
    expect(snapshots.opened.comments[0]).toContain(
      'sss-tool dkg-round1 --threshold 2 --participants 3 --ceremony genesis --submit',
    );
    expect(snapshots.opened.body).toContain('| _3 more, not known yet_ |');
  });

  it('edits the body in place while a round is open: no new comment, no mentions', () => {
    expect(snapshots.round1.comments).toEqual(snapshots.opened.comments);
    expect(snapshots.round1.body).toContain('| alice | [@alice](https://github.com/alice) | ✅ merged |');
    expect(snapshots.round1.body).toMatch(
      /\| carol \| \[@carol\]\(https:\/\/github\.com\/carol\) \| 🔄 \[#\d+\]\(.*\) open, not merged \|/,
    );
    expect(mentions(snapshots.round1.body)).toEqual([]);
  });

  it('comments once when round 2 opens, mentioning exactly the three who must act', () => {
    expect(snapshots.round2Opened.comments).toHaveLength(2);
    const opened = snapshots.round2Opened.comments[1];
    expect(opened).toContain('Round 2 of ceremony <code>genesis</code> is open.');
    expect(mentions(opened).sort()).toEqual(['alice', 'bob', 'carol']);
  });

  it('mid round 2 tells merged, pull request open and not submitted apart, and notifies nobody', () => {
    const body = snapshots.round2.body;
    expect(snapshots.round2.comments).toEqual(snapshots.round2Opened.comments);
    expect(body).toContain('| alice | [@alice](https://github.com/alice) | ✅ merged | ✅ merged | · | — |');
    expect(body).toMatch(
      /\| bob \| \[@bob\]\(https:\/\/github\.com\/bob\) \| ✅ merged \| 🔄 \[#\d+\]\(.*\) open, not merged \| · \| nothing: #\d+ waits for review and merge \|/,
    );
    expect(body).toContain(
      '| carol | [@carol](https://github.com/carol) | ✅ merged | ⏳ not submitted | · | runs the commands above |',
    );
    expect(body).toContain('sss-tool dkg-round2 --commitments ceremonies/genesis/round1 --submit');
    expect(body).toContain(`git pull --ff-only https://github.com/${REPOSITORY}.git main`);
    expect(mentions(body)).toEqual([]);
  });

  it('the pull-request comment links the issue with the same next step, and mentions nobody in its table', () => {
    expect(validateRun.code, validateRun.stdout).toBe(0);
    const comment = [...gh.comments.values()].find((c) => c.body.includes('<!-- sss-tool:status -->'))!.body;
    expect(comment).toContain(`Status of the ceremony: [#${issue().number}](${issue().html_url})`);
    expect(comment).toContain(
      '**Next (<code>genesis</code>):** round 2 from carol ([@carol](https://github.com/carol)): <code>sss-tool dkg-round2 --commitments ceremonies/genesis/round1 --submit</code>.',
    );
    expect(mentions(comment)).toEqual([]);
  });

  it('comments when finalize opens, then once when complete, and closes the issue', () => {
    expect(snapshots.finalizeOpened.comments).toHaveLength(3);
    expect(snapshots.finalizeOpened.comments[2]).toContain('Finalize of ceremony <code>genesis</code> is open.');
    expect(snapshots.complete.comments).toHaveLength(4);
    const last = snapshots.complete.comments[3];
    expect(last).toMatch(
      /^\*\*Ceremony <code>genesis<\/code> is complete\.\*\* Group public key: <code>[0-9a-f]{64}<\/code>/,
    );
    expect(mentions(last)).toEqual([]);
    expect(issue().state).toBe('closed');
    expect(snapshots.complete.body).toContain('**Complete.**');
    // A later push changes nothing.
    expect(snapshots.afterComplete).toEqual(snapshots.complete);
  });
});
