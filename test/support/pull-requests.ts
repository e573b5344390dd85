/**
 * The GitHub side of a ceremony, for the end-to-end tests of the Action: a maintainer opening a
 * ceremony on main, participants initialized (and their signing keys registered on the local
 * GitHub stand-in), each step submitted as a pull request with the real CLI's --submit, and pull
 * requests validated by the real bundled Action (dist/index.js) on a real checkout before a
 * maintainer merges them. The repositories are the bare origin and clones of
 * test/action-helpers.ts.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { LocalGitHub, LocalPull } from '../../dev/local-github.js';
import { git, tempDir } from '../helpers.js';
import {
  ActionRun,
  REPOSITORY,
  checkoutPullRequest,
  cloneOf,
  okAsync,
  pullRequestEvent,
  runAction,
} from '../action-helpers.js';

/** Writes `text` at `path` inside the checkout `dir`, making the folders. */
export function writeIn(dir: string, path: string, text: string | Buffer): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}

/** Commits everything in the checkout (an empty commit if nothing changed); returns the commit. */
export function commitAll(dir: string, message: string): string {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '--allow-empty', '-m', message);
  return git(dir, 'rev-parse', 'HEAD').trim();
}

export interface DkgShape {
  ceremony?: string;
  threshold?: number;
  participants?: number;
}

/** The ceremony.json a maintainer writes to open a DKG (2-of-3 `genesis` unless told), as file text. */
export function dkgManifestText({ ceremony = 'genesis', threshold = 2, participants = 3 }: DkgShape = {}): string {
  const manifest = {
    format: 'sss-tool/ceremony@1',
    ceremony,
    kind: 'dkg',
    ciphersuite: 'FROST-ED25519-SHA512-v1',
    threshold,
    participants,
  };
  return JSON.stringify(manifest, null, 2) + '\n';
}

/** Writes a DKG's ceremony.json into the checkout `dir`. */
export function writeDkgManifest(dir: string, shape: DkgShape = {}): void {
  writeIn(dir, `ceremonies/${shape.ceremony ?? 'genesis'}/ceremony.json`, dkgManifestText(shape));
}

/** The maintainer opens a DKG on main: its ceremony.json committed ("Open ceremony <id>") and pushed. */
export function openCeremonyOnMain(maintainer: string, shape: DkgShape = {}): string {
  writeDkgManifest(maintainer, shape);
  git(maintainer, 'add', '.');
  git(maintainer, 'commit', '-q', '-m', `Open ceremony ${shape.ceremony ?? 'genesis'}`);
  git(maintainer, 'push', '-q', 'origin', 'main');
  return git(maintainer, 'rev-parse', 'HEAD').trim();
}

/**
 * `sss-tool initialize` for every participant at once, each in `home(p)`: GitHub login `github(p)`
 * (the moniker unless told) and, unless `endpoint: false`, the endpoint https://<p>.example.
 */
export async function initializeAll(
  people: readonly string[],
  home: (p: string) => string,
  o: { github?: (p: string) => string; endpoint?: boolean } = {},
): Promise<void> {
  await Promise.all(
    people.map((p) =>
      okAsync([
        'initialize',
        '--moniker',
        p,
        '--github',
        o.github?.(p) ?? p,
        ...(o.endpoint === false ? [] : ['--endpoint', `https://${p}.example`]),
        '--home',
        home(p),
      ]),
    ),
  );
}

/** Registers the artifact signing key in `homeDir` on `login`'s account, as `gh ssh-key add --type signing` would. */
export function registerSigningKey(gh: LocalGitHub, login: string, homeDir: string): void {
  gh.addSshSigningKey(login, readFileSync(join(homeDir, 'github_signing_key.pub'), 'utf8'));
}

export type DkgStep = 'round1' | 'round2' | 'finalize';

/** The CLI arguments of a DKG step as a participant runs it in the checkout `clone`. */
export function dkgStepArgs(step: DkgStep, clone: string, shape: DkgShape = {}): string[] {
  const { ceremony = 'genesis', threshold = 2, participants = 3 } = shape;
  const dir = join(clone, 'ceremonies', ceremony);
  if (step === 'round1')
    return [
      'dkg-round1',
      '--threshold',
      String(threshold),
      '--participants',
      String(participants),
      '--ceremony',
      ceremony,
    ];
  if (step === 'round2') return ['dkg-round2', '--commitments', join(dir, 'round1')];
  return ['dkg-finalize', '--shares', join(dir, 'round2')];
}

/** A participant runs a step with --submit: the branch pushed and the pull request opened with their token. */
export function submitStep(
  o: { apiUrl: string; token: string; home: string; clone: string },
  args: string[],
): Promise<unknown> {
  return okAsync([...args, '--submit', '--github-repo', REPOSITORY, '--home', o.home, '--repo', o.clone], {
    GITHUB_API_URL: o.apiUrl,
    GITHUB_TOKEN: o.token,
  });
}

export interface PullRequestSpec {
  origin: string;
  apiUrl: string;
  /** main when the pull request's branch was made. */
  base: string;
  author: string;
  /** Who opened or last pushed; the author when not given. */
  sender?: string;
  change: (dir: string) => void | Promise<void>;
  /** A commit under the pull request's own (made before `change`, and the event's base). */
  prepare?: (dir: string) => void;
  /** Merge the branch into this later main, as refs/pull/N/merge (the event keeps `base`). */
  mergeInto?: string;
  number?: number;
  fork?: boolean;
  /** The `maintainers` input (none unless told); `inputs` adds or overrides others. */
  maintainers?: string;
  inputs?: Record<string, string>;
  eventName?: string;
  event?: (head: string, base: string) => unknown;
  /** The temp dir's prefix. */
  prefix?: string;
}

/**
 * A pull request made of `change` on top of `base` in a fresh clone, validated by the real bundle
 * on that checkout as GitHub Actions would run it for `author`.
 */
export async function validatePullRequest(o: PullRequestSpec): Promise<ActionRun> {
  const dir = cloneOf(o.origin, join(tempDir(o.prefix ?? 'sss-pr-'), 'repo'), o.author);
  git(dir, 'checkout', '-q', '--detach', o.base);
  if (o.prepare) {
    o.prepare(dir);
    commitAll(dir, 'base');
  }
  const baseSha = git(dir, 'rev-parse', 'HEAD').trim();
  await o.change(dir);
  const branchHead = commitAll(dir, `pull request by ${o.author}`);
  let head = branchHead;
  if (o.mergeInto) {
    git(dir, 'checkout', '-q', '--detach', o.mergeInto);
    git(dir, 'merge', '-q', '--no-ff', '--no-edit', branchHead);
    head = git(dir, 'rev-parse', 'HEAD').trim();
  }
  const { number = 99, author, sender, fork } = o;
  return runAction({
    workspace: dir,
    eventName: o.eventName ?? 'pull_request',
    event: o.event
      ? o.event(head, baseSha)
      : pullRequestEvent({ number, author, sender, baseSha, headSha: branchHead, fork }),
    apiUrl: o.apiUrl,
    inputs: { maintainers: o.maintainers ?? '', ...o.inputs },
  });
}

/** The run failed with an error annotation on `file` whose text matches `reason`. */
export function expectAnnotated(r: ActionRun, file: string, reason: RegExp): void {
  expect(r.code, r.stdout).not.toBe(0);
  const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::error ') && l.includes(`file=${file},`));
  expect(
    annotations.some((l) => reason.test(l)),
    `no annotation on ${file} matching ${reason}:\n${r.stdout}`,
  ).toBe(true);
}

/**
 * Each pull request on a branch starting with `branchPrefix`, as GitHub runs the workflow: the
 * bundle validates the merge checkout in `runner` (its author is the branch's last part); an honest
 * pull request that fails throws. Then the maintainer merges it into main and pushes;
 * `merged(pr, author, run)` is told after each.
 */
export async function validateAndMergeEach(o: {
  gh: LocalGitHub;
  runner: string;
  maintainer: string;
  branchPrefix: string;
  maintainers: string;
  mergeMessage: (pr: LocalPull) => string;
  merged: (pr: LocalPull, author: string, run: ActionRun) => void;
}): Promise<void> {
  for (const pr of o.gh.pulls.filter((x) => x.head.startsWith(o.branchPrefix))) {
    const author = pr.head.split('/').pop()!;
    const baseSha = checkoutPullRequest(o.runner, pr.head);
    const run = await runAction({
      workspace: o.runner,
      eventName: 'pull_request',
      event: pullRequestEvent({ number: pr.number, author, baseSha }),
      apiUrl: o.gh.url,
      inputs: { maintainers: o.maintainers },
    });
    if (run.code !== 0)
      throw new Error(`honest pull request #${pr.number} (${pr.head}) was rejected:\n${run.stdout}\n${run.stderr}`);
    git(o.maintainer, 'fetch', '-q', 'origin');
    git(o.maintainer, 'merge', '-q', '--no-ff', '-m', o.mergeMessage(pr), `origin/${pr.head}`);
    git(o.maintainer, 'push', '-q', 'origin', 'main');
    o.merged(pr, author, run);
  }
}
