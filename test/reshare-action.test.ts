/**
 * A reshare through pull requests, checked by the real bundled Action (dist/index.js): a 2-of-3
 * genesis (alice, bob, carol), then a maintainer proposes removing carol and adding dave; alice and
 * bob deal, alice, bob and dave finalize, each with the CLI's --submit, each pull request validated
 * before it is merged, and the push after the last merge publishes public_info/ (same key, epoch 1).
 * Then the pull request classes the Action rejects for a genesis, made against the reshare.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signArtifact } from '../src/artifacts/canonical.js';
import { startLocalGitHub, LocalGitHub } from '../dev/local-github.js';
import { homePaths } from '../src/local/home.js';
import { openIdentity } from '../src/local/identity.js';
import { encodePoint, Point } from '../src/crypto/suite.js';
import { PASSPHRASE, cleanupTempDirs, git } from './helpers.js';
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
  expectAnnotated as expectRejected,
  initializeAll,
  registerSigningKey,
  validateAndMergeEach,
  validatePullRequest,
  writeIn as write,
} from './support/pull-requests.js';

const PEOPLE = ['alice', 'bob', 'carol'];
const MAINTAINER = 'maintainer';
const C = 'ceremonies/rs';
let gh: LocalGitHub;
let origin: string;
let maintainer: string;
let root: string;
const home = (p: string) => join(root, 'homes', p);
const snap: Record<string, string> = {};
const honest: { step: string; who: string; run: ActionRun }[] = [];
let publishRun: ActionRun;
const mainHead = () => git(maintainer, 'rev-parse', 'HEAD').trim();
const show = (rev: string, path: string) => git(maintainer, 'show', `${rev}:${path}`);

async function genesis(): Promise<void> {
  await initializeAll([...PEOPLE, 'dave'], home);
  const as = (p: string, args: string[]) => okAsync([...args, '--home', home(p), '--repo', maintainer]);
  for (const step of ['round1', 'round2', 'finalize'] as const)
    for (const p of PEOPLE) await as(p, dkgStepArgs(step, maintainer));
  await okAsync(['publish', '--ceremony', 'genesis', '--repo', maintainer]);
  git(maintainer, 'add', '-A');
  git(maintainer, 'commit', '-q', '-m', 'Genesis');
  git(maintainer, 'push', '-q', 'origin', 'main');
}

let unboundProposal: ActionRun;

/** Validates every open pull request of a step with the bundle, then merges it. */
async function validateAndMerge(step: string, runner: string): Promise<void> {
  await validateAndMergeEach({
    gh,
    runner,
    maintainer,
    branchPrefix: `ceremony/rs/${step}/`,
    maintainers: MAINTAINER,
    mergeMessage: (pr) => `Merge ${pr.head}`,
    merged: (_pr, who, run) => honest.push({ step, who, run }),
  });
  snap[step] = mainHead();
}

beforeAll(async () => {
  gh = await startLocalGitHub();
  ({ root, origin, maintainer } = newOrigin());
  await genesis();
  snap.genesis = mainHead();
  const runner = cloneOf(origin, join(root, 'runner'), 'runner');
  const submit = (who: string) => [
    '--submit',
    '--github-repo',
    REPOSITORY,
    ...(who === MAINTAINER ? [] : ['--home', home(who)]),
  ];
  const env = (who: string) => ({ GITHUB_API_URL: gh.url, GITHUB_TOKEN: `token-of-${who}` });
  await okAsync(
    [
      'reshare-request',
      '--ceremony',
      'rs',
      '--remove',
      'carol',
      '--newcomer',
      join(home('dave'), 'identity.json'),
      '--repo',
      maintainer,
      ...submit(MAINTAINER),
    ],
    env(MAINTAINER),
  );
  git(maintainer, 'checkout', '-q', 'main');
  // The newcomer's identity enters the group with the proposal: before dave registers his signing
  // key on his account, the proposal is refused; after, it passes.
  const proposal = gh.pulls.find((x) => x.head.startsWith('ceremony/rs/proposal/'))!;
  unboundProposal = await runAction({
    workspace: runner,
    eventName: 'pull_request',
    event: pullRequestEvent({
      number: proposal.number,
      author: MAINTAINER,
      baseSha: checkoutPullRequest(runner, proposal.head),
    }),
    apiUrl: gh.url,
    inputs: { maintainers: MAINTAINER },
  });
  registerSigningKey(gh, 'dave', home('dave'));
  await validateAndMerge('proposal', runner);
  const clones = Object.fromEntries([...PEOPLE, 'dave'].map((p) => [p, cloneOf(origin, join(root, 'clones', p), p)]));
  for (const p of ['alice', 'bob'])
    await okAsync(['reshare-deal', '--ceremony', 'rs', '--repo', clones[p], ...submit(p)], env(p));
  await validateAndMerge('dealing', runner);
  for (const p of ['alice', 'bob', 'dave']) {
    git(clones[p], 'pull', '-q', 'origin', 'main');
    await okAsync(['reshare-finalize', '--ceremony', 'rs', '--repo', clones[p], ...submit(p)], env(p));
  }
  await validateAndMerge('finalize', runner);
  const publisher = cloneOf(origin, join(root, 'publisher'), 'publisher');
  publishRun = await runAction({ workspace: publisher, eventName: 'push', event: pushEvent(), apiUrl: gh.url });
  git(maintainer, 'pull', '-q', 'origin', 'main');
  snap.published = mainHead();
}, 240_000);

afterAll(async () => {
  await gh?.close();
  cleanupTempDirs();
});

const pullRequest = (o: Pick<PullRequestSpec, 'base' | 'author' | 'change'>): Promise<ActionRun> =>
  validatePullRequest({ origin, apiUrl: gh.url, maintainers: MAINTAINER, ...o });

describe('a reshare through pull requests', () => {
  it('the bundle accepts the proposal, each dealing and each finalize, and publishes the new group with the same key', () => {
    expect(honest.map((h) => `${h.step}/${h.who}`)).toEqual([
      'proposal/maintainer',
      'dealing/alice',
      'dealing/bob',
      'finalize/alice',
      'finalize/bob',
      'finalize/dave',
    ]);
    for (const h of honest) expect(h.run.summary).toContain('| participant | dealing | finalize |');
    expect(honest[5].run.outputs.completed).toBe('genesis,rs');
    expect(honest[4].run.outputs.completed).toBe('genesis');
    expect(publishRun.code, publishRun.stdout).toBe(0);
    expect(show(snap.published, 'public_info/public_key.txt')).toBe(show(snap.genesis, 'public_info/public_key.txt'));
    const group = JSON.parse(show(snap.published, 'public_info/group.json'));
    expect(group.epoch).toBe(1);
    expect(group.participants.map((p: { moniker: string }) => p.moniker)).toEqual(['alice', 'bob', 'dave']);
    expect(show(snap.published, 'public_info/peers_list.txt')).not.toContain('carol');
  });
});

describe('the pull requests the Action rejects for a genesis, against a reshare', () => {
  it("a proposal whose newcomer's signing key is not an SSH signing key of the login it declares", () => {
    expect(unboundProposal.code).not.toBe(0);
    expect(unboundProposal.stdout).toMatch(/is not an SSH signing key of @dave on GitHub/);
  });

  it('a proposal opened by a participant, not a maintainer', async () => {
    const text = show(snap.proposal, `${C}/ceremony.json`).replace('"ceremony": "rs"', '"ceremony": "rs2"');
    const r = await pullRequest({
      base: snap.genesis,
      author: 'alice',
      change: (d) => write(d, 'ceremonies/rs2/ceremony.json', text),
    });
    expectRejected(
      r,
      'ceremonies/rs2/ceremony.json',
      /only maintainers \(@maintainer\) may add a ceremony manifest, not @alice/,
    );
  });

  it('a dealing submitted by someone other than its dealer', async () => {
    const text = show(snap.dealing, `${C}/dealings/alice.json`);
    const r = await pullRequest({
      base: snap.proposal,
      author: 'bob',
      change: (d) => write(d, `${C}/dealings/alice.json`, text),
    });
    expectRejected(
      r,
      `${C}/dealings/alice.json`,
      /submitted by @bob, but the artifact's author alice declared GitHub login @alice/,
    );
  });

  it('a finalize before enough dealings are merged', async () => {
    const text = show(snap.finalize, `${C}/finalize/dave.json`);
    const r = await pullRequest({
      base: snap.proposal,
      author: 'dave',
      change: (d) => write(d, `${C}/finalize/dave.json`, text),
    });
    expectRejected(r, `${C}/finalize/dave.json`, /finalize before enough valid dealings are merged on the base branch/);
  });

  it('a dealing that shifts the key, correctly signed by its dealer', async () => {
    const id = await openIdentity(homePaths(home('alice')), PASSPHRASE);
    const d = JSON.parse(show(snap.dealing, `${C}/dealings/alice.json`));
    const { signature: _s, ...rest } = d;
    const shifted = signArtifact(
      { ...rest, commitment: [encodePoint(Point.fromHex(d.commitment[0]).add(Point.BASE)), ...d.commitment.slice(1)] },
      id.signingSecret,
    );
    const r = await pullRequest({
      base: snap.proposal,
      author: 'alice',
      change: (dir) => write(dir, `${C}/dealings/alice.json`, JSON.stringify(shifted, null, 2) + '\n'),
    });
    expectRejected(
      r,
      `${C}/dealings/alice.json`,
      /commitment\.0 is not the dealer's verifying share: the dealing does not share the dealer's own share \(it would shift the key\).*culprit: alice/,
    );
  });

  it('a change to a merged dealing, private material, and a hand-edited public_info/', async () => {
    const r = await pullRequest({
      base: snap.published,
      author: 'alice',
      change: (d) => {
        write(
          d,
          `${C}/dealings/alice.json`,
          readFileSync(join(d, `${C}/dealings/alice.json`), 'utf8').replace('"rs"', '"rs" '),
        );
        write(d, `${C}/dealings/carol.json`, JSON.stringify({ signingShare: '00'.repeat(32) }));
        write(d, 'public_info/group.json', '{}\n');
      },
    });
    expectRejected(r, `${C}/dealings/alice.json`, /changes a merged artifact: the transcript is append-only/);
    expectRejected(r, `${C}/dealings/carol.json`, /private material: a signing share/);
    expectRejected(r, 'public_info/group.json', /only maintainers \(@maintainer\) may change public_info\//);
  });
});
