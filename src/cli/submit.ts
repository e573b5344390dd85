/**
 * How a step's artifacts reach the repository. Without --submit: the exact git commands to run.
 * With --submit: a commit of exactly this participant's new files on top of the remote's base
 * branch, pushed as `ceremony/<id>/<step>/<moniker>`, and a pull request opened through the API.
 * The checkout, its index and its current branch are left as they are.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SssError } from '../errors.js';
import { parseRepo, repoFromRemoteUrl, RepoRef, resolveToken } from '../github/repo.js';
import { Context, REPOSITORY_ENV, SubmitOptions } from './context.js';

export { REPOSITORY_ENV, submitOption, type SubmitOptions } from './context.js';

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

/** Prints the git commands that publish a step (or submits it, with --submit). */
export async function nextSteps(ctx: Context, opts: SubmitOptions, s: StepFiles): Promise<void> {
  if (opts.submit) {
    await submit(ctx, opts, s);
    return;
  }
  const files = s.files.map((f) => relative(ctx.repo, f));
  const remote = opts.remote ?? 'origin';
  ctx.say('');
  ctx.say('Publish it as a pull request (or re-run this command with --submit, which does all of this):');
  ctx.say(`  git -C ${ctx.repo} fetch ${remote}`);
  ctx.say(`  git -C ${ctx.repo} switch -c ${branchName(s)} ${remote}/${opts.base ?? 'HEAD'}`);
  ctx.say(`  git -C ${ctx.repo} add ${files.join(' ')}`);
  ctx.say(`  git -C ${ctx.repo} commit -m "${commitMessage(s)}"`);
  ctx.say(`  git -C ${ctx.repo} push ${remote} ${branchName(s)}`);
  ctx.say("  then open a pull request from that branch; the repository's sss-tool Action checks it.");
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
  const { commitAndPushStep, remoteDefaultBranch, remoteUrl } = await import('../github/git.js');
  const { client, openPullRequest } = await import('../github/api.js');
  const remote = opts.remote ?? 'origin';
  let url: string;
  try {
    url = await remoteUrl(ctx.repo, remote);
  } catch {
    throw new SssError(`no git remote ${remote} in ${ctx.repo}`, { code: 'usage', field: '--remote' });
  }
  // Everything that can fail without side effects is settled before the push.
  const target = targetRepository(opts, url);
  const token = resolveToken();
  const base = opts.base ?? (await remoteDefaultBranch(ctx.repo, remote));
  const branch = branchName(s);
  const message = commitMessage(s);
  // A re-run does not rewrite the manifest it wrote the first time; the base may still lack it.
  const manifest = join(ctx.ceremoniesDir, s.ceremony, 'ceremony.json');
  const files = existsSync(manifest) && !s.files.includes(manifest) ? [manifest, ...s.files] : s.files;
  const pushed = await commitAndPushStep(ctx.repo, { remote, base, branch, files, message });
  const from = repoFromRemoteUrl(url);
  const head = from && from.owner.toLowerCase() !== target.owner.toLowerCase() ? `${from.owner}:${branch}` : branch;
  const body = [
    `Step **${s.step}** of ceremony \`${s.ceremony}\`, from **${s.moniker}**.`,
    '',
    ...pushed.files.map((f) => `- \`${f}\``),
    '',
    "Opened by `sss-tool --submit`. The repository's sss-tool Action checks this pull request with the same audit as `sss-tool verify`.",
  ].join('\n');
  const pr = await openPullRequest(client(token), target, { head, base, title: message, body });
  const line = `${pr.existed ? 'Updated' : 'Opened'} pull request #${pr.number}: ${pr.url}`;
  ctx.say('');
  ctx.say(`Submitted: pushed ${pushed.files.join(', ')} as ${remote}/${branch} (on ${base}).`);
  ctx.say(line);
  ctx.say(`Your files moved to that branch: \`git pull\` brings them back once the pull request is merged.`);
  if (ctx.json) process.stderr.write(line + '\n');
}
