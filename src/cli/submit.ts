/**
 * How a step's artifacts reach the repository. Without --submit: the exact git commands to run.
 * With --submit: a commit of exactly this participant's new files on top of the upstream's default
 * branch (fetched fresh), pushed to the participant's fork (or the upstream itself) as
 * `ceremony/<id>/<step>/<moniker>`, and a pull request opened upstream through the API, its head
 * `owner:branch` for a fork. The token reaches git through a credential helper, never argv.
 * The checkout, its index and its current branch are left as they are.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SssError } from '../errors.js';
import { parseRepo, repoFromRemoteUrl, RepoRef, resolveToken } from '../github/repo.js';
import { Context, REPOSITORY_ENV, SubmitOptions } from './context.js';

export { REPOSITORY_ENV, requireCheckout, submitOption, type SubmitOptions } from './context.js';

export interface StepFiles {
  ceremony: string;
  step: string;
  moniker: string;
  /** Absolute paths of the files the step wrote. */
  files: string[];
}

function branchName(s: StepFiles): string {
  return `ceremony/${s.ceremony}/${s.step}/${s.moniker}`;
}

function commitMessage(s: StepFiles): string {
  return `${s.ceremony}: ${s.step} from ${s.moniker}`;
}

/** A word for a POSIX shell: as it is when it is plain, else single-quoted. */
export function shellWord(s: string): string {
  return /^[\w./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The remotes a step goes through, from the checkout's remotes and the options. */
export interface Remotes {
  /** Where the branch is pushed (--remote, default origin). */
  push: string;
  /** Where merged steps come from: the `upstream` remote, else a URL for --github-repo, else `push`. */
  fetchFrom: string;
  /** A remote's name for the printed commands (`upstream` or `push`). */
  pullFrom: string;
  /** The repository the pull request is opened in. */
  target?: RepoRef;
  /** The repository `push` points at, when its URL says. */
  pushRepo?: RepoRef;
  /** The branch is pushed to a fork: the pull request's head is `owner:branch`. */
  fork: boolean;
}

const sameRepo = (a?: RepoRef, b?: RepoRef) =>
  Boolean(a && b && a.owner.toLowerCase() === b.owner.toLowerCase() && a.repo.toLowerCase() === b.repo.toLowerCase());

/** `url` (a GitHub remote URL) pointing at another repository of the same host, without credentials. */
function urlFor(url: string, r: RepoRef): string | undefined {
  const https = /^(https?:\/\/)(?:[^@/]+@)?([^/]+)\//.exec(url);
  if (https) return `${https[1]}${https[2]}/${r.owner}/${r.repo}.git`;
  const scp = /^(git@[^:]+:)/.exec(url);
  if (scp) return `${scp[1]}${r.owner}/${r.repo}.git`;
  const ssh = /^(ssh:\/\/git@[^/]+\/)/.exec(url);
  return ssh ? `${ssh[1]}${r.owner}/${r.repo}.git` : undefined;
}

/**
 * Upstream versus fork, from the remotes: a checkout with an `upstream` remote is a clone of a
 * fork (`origin`); else --github-repo (or $SSS_TOOL_GITHUB_REPOSITORY) naming another repository
 * than `origin`'s URL makes it one; else `origin` is the upstream itself.
 */
export function resolveRemotes(dir: string, opts: SubmitOptions, env: NodeJS.ProcessEnv = process.env): Remotes {
  const push = opts.remote ?? 'origin';
  const remotes = spawnSync('git', ['remote'], { cwd: dir }).stdout?.toString().split('\n').filter(Boolean) ?? [];
  if (!remotes.includes(push))
    throw new SssError(`no git remote ${push} in ${dir}`, { code: 'usage', field: '--remote' });
  // The URL as configured: `get-url` would apply url.<base>.insteadOf, and the owner is in the configured one.
  const url = (name: string) =>
    spawnSync('git', ['config', '--get', `remote.${name}.url`], { cwd: dir })
      .stdout.toString()
      .trim();
  const pushUrl = url(push);
  const pushRepo = repoFromRemoteUrl(pushUrl);
  const upstream = push !== 'upstream' && remotes.includes('upstream') ? 'upstream' : undefined;
  const upstreamUrl = upstream ? url(upstream) : undefined;
  const named = opts.githubRepo
    ? parseRepo(opts.githubRepo, '--github-repo')
    : env[REPOSITORY_ENV]
      ? parseRepo(env[REPOSITORY_ENV]!, REPOSITORY_ENV)
      : undefined;
  const target = named ?? repoFromRemoteUrl(upstreamUrl ?? pushUrl);
  if (upstream)
    return {
      push,
      fetchFrom: upstream,
      pullFrom: upstream,
      target,
      pushRepo,
      fork: upstreamUrl !== pushUrl && !sameRepo(pushRepo, target),
    };
  if (target && pushRepo && !sameRepo(pushRepo, target)) {
    const derived = urlFor(pushUrl, target);
    if (!derived)
      throw new SssError(
        `cannot tell the URL of ${target.owner}/${target.repo} from ${push}'s: add it as a remote: git remote add upstream <its URL>`,
        { code: 'usage', field: '--github-repo' },
      );
    return { push, fetchFrom: derived, pullFrom: derived, target, pushRepo, fork: true };
  }
  return { push, fetchFrom: push, pullFrom: push, target, pushRepo, fork: false };
}

/** Prints the git commands that publish a step (or submits it, with --submit). */
export async function nextSteps(ctx: Context, opts: SubmitOptions, s: StepFiles): Promise<void> {
  if (opts.submit) {
    await submit(ctx, opts, s);
    return;
  }
  // A checkout without the remote yet still gets the commands, for `origin`.
  let remotes: Remotes;
  try {
    remotes = resolveRemotes(ctx.repo, opts);
  } catch {
    const push = opts.remote ?? 'origin';
    remotes = { push, fetchFrom: push, pullFrom: push, fork: false };
  }
  // Local knowledge only (no network to print commands); a derived URL is no remote to ask.
  const isUrl = /[:/]/.test(remotes.fetchFrom);
  const { knownDefaultBranch } = await import('../github/git.js');
  const base = opts.base ?? knownDefaultBranch(ctx.repo, isUrl ? remotes.push : remotes.fetchFrom);
  const files = s.files.map((f) => shellWord(relative(ctx.repo, f)));
  const g = `git -C ${shellWord(ctx.repo)}`;
  const branch = branchName(s);
  const where = remotes.fork && remotes.target ? `${remotes.target.owner}/${remotes.target.repo}` : 'the repository';
  ctx.say('');
  ctx.say('Publish it as a pull request (or re-run this command with --submit, which does all of this):');
  ctx.say(`  ${g} fetch ${shellWord(remotes.fetchFrom)} ${base}`);
  ctx.say(`  ${g} switch -C ${branch} FETCH_HEAD`);
  ctx.say(`  ${g} add ${files.join(' ')}`);
  ctx.say(`  ${g} commit -m ${shellWord(commitMessage(s))}`);
  ctx.say(`  ${g} push --force ${shellWord(remotes.push)} ${branch}`);
  ctx.say(`  ${g} switch ${base}`);
  ctx.say(`  then open a pull request from ${branch} into ${base} of ${where}; its sss-tool Action checks it.`);
  ctx.say(
    `Once it is merged (squash merges too), \`${g} pull --ff-only ${shellWord(remotes.pullFrom)} ${base}\` brings your files back.`,
  );
}

/** The repository pull requests go to: --github-repo, else $SSS_TOOL_GITHUB_REPOSITORY, else the remote's. */
export function targetRepository(opts: SubmitOptions, url: string, env: NodeJS.ProcessEnv = process.env): RepoRef {
  if (opts.githubRepo) return parseRepo(opts.githubRepo, '--github-repo');
  if (env[REPOSITORY_ENV]) return parseRepo(env[REPOSITORY_ENV]!, REPOSITORY_ENV);
  const r = repoFromRemoteUrl(url);
  if (!r)
    throw new SssError(
      `cannot tell the GitHub repository from the remote's URL ${url}: pass --github-repo owner/name`,
      { code: 'usage', field: '--github-repo' },
    );
  return r;
}

async function submit(ctx: Context, opts: SubmitOptions, s: StepFiles): Promise<void> {
  // git and the API client load only when a step is submitted.
  const { commitAndPushStep, remoteDefaultBranch } = await import('../github/git.js');
  const { client, upsertPullRequest } = await import('../github/api.js');
  // Everything that can fail without side effects is settled before the push.
  const remotes = resolveRemotes(ctx.repo, opts);
  const target =
    remotes.target ??
    targetRepository(
      opts,
      spawnSync('git', ['remote', 'get-url', remotes.fetchFrom], { cwd: ctx.repo }).stdout.toString().trim(),
    );
  const token = resolveToken();
  const octokit = client(token);
  const base = opts.base ?? remoteDefaultBranch(ctx.repo, remotes.fetchFrom, token);
  const forkOwner = remotes.fork
    ? (remotes.pushRepo?.owner ?? (await octokit.rest.users.getAuthenticated()).data.login)
    : undefined;
  const branch = branchName(s);
  const message = commitMessage(s);
  // A re-run does not rewrite the manifest it wrote the first time; the base may still lack it.
  const manifest = join(ctx.ceremoniesDir, s.ceremony, 'ceremony.json');
  const files = existsSync(manifest) && !s.files.includes(manifest) ? [manifest, ...s.files] : s.files;
  ctx.progress(`pushing ${branch} to ${remotes.push}, on ${base} fetched from ${remotes.pullFrom}`);
  const pushed = await commitAndPushStep(ctx.repo, {
    fetchFrom: remotes.fetchFrom,
    pushTo: remotes.push,
    base,
    branch,
    files,
    message,
    token,
  });
  const head = forkOwner ? `${forkOwner}:${branch}` : branch;
  const body = [
    `Step **${s.step}** of ceremony \`${s.ceremony}\`, from **${s.moniker}**.`,
    '',
    ...pushed.files.map((f) => `- \`${f}\``),
    '',
    "Opened by `sss-tool --submit`. The repository's sss-tool Action checks this pull request with the same audit as `sss-tool verify`.",
  ].join('\n');
  ctx.progress(`opening the pull request in ${target.owner}/${target.repo}`);
  // A re-submission updates the open pull request's title and body.
  const pr = await upsertPullRequest(octokit, target, { head, base, title: message, body });
  const line = `${pr.action === 'updated' ? 'Updated' : 'Opened'} pull request #${pr.number}: ${pr.url}`;
  ctx.say('');
  ctx.say(
    `Submitted: pushed ${pushed.files.join(', ')} as ${remotes.push}/${branch} (on ${base} of ${target.owner}/${target.repo}).`,
  );
  ctx.say(line);
  ctx.say(
    `Your files moved to that branch. Once it is merged: git -C ${shellWord(ctx.repo)} pull --ff-only ${shellWord(remotes.pullFrom)} ${base}`,
  );
  if (ctx.json) process.stderr.write(line + '\n');
}
