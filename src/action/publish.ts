/**
 * push to the default branch: re-audit the whole transcript, and only when it is valid and the
 * group's ceremonies are complete, regenerate public_info/ and deliver it where it changed:
 *
 * - `publish-via: pull-request` (the path under branch protection): push the generated files to
 *   `sss-tool/public-info` and open or update its pull request with `publish-token`, a token whose
 *   pushes start workflows, so the required check runs on it like on any other pull request;
 * - `publish-via: commit` (unprotected repositories): commit to the default branch; when another
 *   push got there first, fetch the new tip, re-audit and regenerate on it, and push again.
 *
 * The summary is written before anything is pushed. A run with nothing new changes nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import { SssError } from '../errors.js';
import { auditRepository, RepositoryState } from '../ceremony/repository.js';
import { PUBLIC_FILES, publicInfoFiles, stalePublicFiles } from '../ceremony/publish.js';
import { client, parseRepo, upsertPullRequest } from '../github/api.js';
import { commitAsBot, git, treeOf } from '../github/git.js';
import { fetchWithToken, isNonFastForward, pushWithToken } from '../github/push.js';
import { Inputs, RunContext } from './context.js';
import { mdCode, mdText } from '../ceremony/markdown.js';
import { annotate, ceremoniesMarkdown, Problem, problemsMarkdown, setOutputs, writeSummary } from './report.js';

/** The branch the Action's publish pull request comes from. */
export const PUBLISH_BRANCH = 'sss-tool/public-info';

/** How often `publish-via: commit` regenerates on a moved tip before it gives up. */
const PUSH_ATTEMPTS = 4;

export interface PublishResult {
  state: RepositoryState;
  /** The public_info files written (empty when up to date or skipped). */
  changed: string[];
  commit?: string;
  pullRequest?: number;
  skipped?: string;
}

export async function publish(inputs: Inputs, ctx: RunContext): Promise<PublishResult> {
  const defaultBranch: string | undefined =
    ctx.event.repository?.default_branch ?? ctx.ref?.replace(/^refs\/heads\//, '');
  for (let attempt = 1; ; attempt++) {
    const round = await prepare(inputs, ctx, defaultBranch, attempt);
    const { result, lines } = round;
    if (!result.commit) return finish(round);
    if (inputs.publishVia === 'pull-request') {
      result.pullRequest = await publishPullRequest(inputs, ctx, result.commit, defaultBranch, round.message!, lines);
      return finish(round);
    }
    if (!defaultBranch)
      throw new SssError('cannot tell the default branch to push to (no repository in the event, no GITHUB_REF)', {
        code: 'git',
      });
    if (await pushToDefaultBranch(inputs, ctx, round, defaultBranch, attempt)) return finish(round, true);
  }
}

/**
 * Pushes the round's commit to the default branch. Returns false when another push got there
 * first and attempts are left: the checkout is then on the new tip, for the caller to regenerate.
 */
async function pushToDefaultBranch(
  inputs: Inputs,
  ctx: RunContext,
  round: Round,
  defaultBranch: string,
  attempt: number,
): Promise<boolean> {
  const { result, lines } = round;
  const commit = result.commit!;
  const target = mdCode(defaultBranch);
  const files = result.changed.map((f) => mdCode(f)).join(', ');
  await writeSummary(
    [...lines, `Pushing ${files} to ${target} (${commit.slice(0, 12)}), attempt ${attempt}.`, ''].join('\n'),
  );
  try {
    await pushWithToken(ctx.workspace, 'origin', commit, defaultBranch, { token: inputs.token });
  } catch (e) {
    const why = (e as Error).message;
    if (isNonFastForward(why) && attempt < PUSH_ATTEMPTS) {
      core.info(
        `${defaultBranch} moved while publishing: regenerating on its new tip (attempt ${attempt + 1} of ${PUSH_ATTEMPTS}).`,
      );
      await fetchWithToken(ctx.workspace, 'origin', defaultBranch, inputs.token);
      await git(ctx.workspace).raw(['checkout', '-q', '--force', '--detach', 'FETCH_HEAD']);
      return false;
    }
    const first =
      why
        .split('\n')
        .map((l) => l.trim())
        .find(Boolean)
        ?.replace(/[\s.]+$/, '') ?? 'git push failed';
    const hint = /protected branch|GH006|required status check/i.test(why)
      ? ` ${defaultBranch} is protected: publish with publish-via: pull-request and a publish-token (docs/maintainers.md, "Publishing under branch protection").`
      : '';
    await writeSummary(`❌ The push to ${target} failed: ${mdText(first)}.${hint}\n`);
    throw new SssError(`could not push public_info/ to ${defaultBranch}: ${first}.${hint}`, {
      code: 'git',
      field: 'publish-via',
    });
  }
  core.info(`Committed ${result.changed.join(', ')} to ${defaultBranch} (${commit.slice(0, 12)}).`);
  await writeSummary(`✅ Committed ${files} to ${target} (${commit.slice(0, 12)}).\n`);
  return true;
}

interface Round {
  result: PublishResult;
  problems: Problem[];
  lines: string[];
  /** The commit message, when there is a commit. */
  message?: string;
  defaultBranch?: string;
}

/**
 * Audits the checkout and, when it is sound and complete, writes and commits the stale
 * public_info files. Nothing is pushed here.
 */
async function prepare(
  inputs: Inputs,
  ctx: RunContext,
  defaultBranch: string | undefined,
  attempt: number,
): Promise<Round> {
  const ws = ctx.workspace;
  const state = auditRepository(join(ws, inputs.ceremoniesDir), ws);
  const problems: Problem[] = [...[...state.reports.values()].flatMap((r) => r.errors), ...state.errors].map(
    (error) => ({ error, merged: true }),
  );
  setOutputs(state);
  const result: PublishResult = { state, changed: [] };
  const lines: string[] =
    attempt === 1
      ? ['## sss-tool: publish', '']
      : [`### Attempt ${attempt}, on the new tip of ${mdCode(defaultBranch ?? '')}`, ''];
  const round: Round = { result, problems, lines, defaultBranch };

  if (ctx.event.repository?.fork) result.skipped = "this repository is a fork: publishing is the upstream repository's";
  else if (ctx.ref && defaultBranch && ctx.ref !== `refs/heads/${defaultBranch}`)
    result.skipped = `${ctx.ref} is not the default branch (${defaultBranch})`;
  // Defense in depth: whatever the checks let through, an invalid transcript is never published.
  else if (problems.length)
    result.skipped = `the transcript on ${defaultBranch ?? 'this branch'} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}), so nothing is published`;
  else if (!state.group) result.skipped = 'no complete genesis ceremony yet: nothing to publish';
  if (result.skipped || !state.group) return round;

  const group = state.group;
  const dir = join(ws, inputs.publicInfoDir);
  const stale = stalePublicFiles(dir, group);
  if (!stale.length)
    lines.push(`${mdCode(inputs.publicInfoDir + '/')} is up to date with the transcript: nothing to publish.`);
  else {
    const files = publicInfoFiles(group);
    mkdirSync(dir, { recursive: true });
    for (const f of stale) writeFileSync(join(dir, f), files[f]);
    result.changed = stale.map((f) => `${inputs.publicInfoDir}/${f}`);
    const ids = group.ceremonies.map((c) => c.id).join(', ');
    round.message = `Publish public_info: ${ids}\n\nGenerated by the sss-tool Action from the verified transcript (${ids}).\nGroup public key: ${group.publicKey}\nChanged: ${stale.join(', ')}`;
    result.commit = await commitAsBot(ws, result.changed, round.message);
  }
  lines.push(
    '',
    `Group public key: \`${group.publicKey}\` (${group.participants.length} participants, threshold ${group.threshold}).`,
    '',
  );
  return round;
}

/** The summary's tail, and the run's verdict. */
async function finish(round: Round, pushed = false): Promise<PublishResult> {
  const { result, problems, lines, defaultBranch } = round;
  const tail: string[] = pushed ? [] : lines;
  annotate(problems);
  if (result.skipped) {
    core.notice(`Publishing skipped: ${result.skipped}.`);
    tail.push(`Publishing skipped: ${mdText(result.skipped)}.`, '');
  }
  if (problems.length) tail.push(recoveryMarkdown(problems), '');
  tail.push(problemsMarkdown(problems), ceremoniesMarkdown(result.state));
  await writeSummary(tail.join('\n'));
  if (problems.length) core.setFailed(recoveryText(problems, defaultBranch));
  return result;
}

/** The merged files a failed re-audit blames, in order, each once. */
function filesAtFault(problems: Problem[]): string[] {
  return [...new Set(problems.map((p) => p.error.file ?? '(the repository as a whole)'))];
}

const RECOVERY =
  'The transcript is append-only, so nothing is edited back: for a genesis ceremony, a maintainer opens a new ceremony under a new id and everyone runs the steps again; for a join, public_info/ keeps the group\'s last good state and the group decides how to go on (docs/maintainers.md, "When a merged transcript is invalid").';

function recoveryText(problems: Problem[], branch: string | undefined): string {
  const first = problems[0].error.message;
  return `${problems.length} problem${problems.length === 1 ? '' : 's'} in the transcript merged on ${branch ?? 'this branch'}; nothing was published. At fault: ${filesAtFault(problems).join(', ')}. First: ${first}. ${RECOVERY}`;
}

function recoveryMarkdown(problems: Problem[]): string {
  return [
    `❌ **Nothing was published**: the merged transcript fails the audit. At fault: ${filesAtFault(problems)
      .map((f) => mdCode(f))
      .join(', ')}.`,
    '',
    RECOVERY,
  ].join('\n');
}

/**
 * Pushes the commit as the publish branch (unless it already holds the same files) and opens or
 * updates its pull request, both with the publish token: with the workflow's own token, GitHub
 * starts no workflow for the push or the pull request, so the required check would never report.
 */
async function publishPullRequest(
  inputs: Inputs,
  ctx: RunContext,
  commit: string,
  base: string | undefined,
  message: string,
  lines: string[],
): Promise<number> {
  if (!base) throw new SssError('cannot tell the default branch for the pull request', { code: 'git' });
  const token = inputs.publishToken || inputs.token;
  if (inputs.publishToken) core.setSecret(inputs.publishToken);
  if (!token || !ctx.repository)
    throw new SssError('publish-via pull-request needs the publish-token input and GITHUB_REPOSITORY', {
      code: 'usage',
      field: 'publish-token',
    });
  if (!inputs.publishToken)
    core.warning(
      'publish-via pull-request without publish-token: the pull request is opened with the workflow token, which starts no workflow, so a required check never reports on it. Set publish-token (docs/maintainers.md).',
    );
  const ws = ctx.workspace;
  let same = false;
  try {
    await fetchWithToken(ws, 'origin', PUBLISH_BRANCH, token);
    const theirs = await treeOf(ws, 'FETCH_HEAD');
    same = theirs !== undefined && theirs === (await treeOf(ws, commit));
  } catch {
    // no publish branch yet
  }
  const [title, ...body] = message.split('\n');
  lines.push(`Opening or updating the pull request from \`${PUBLISH_BRANCH}\` with the generated files.`, '');
  await writeSummary(lines.join('\n'));
  lines.length = 0;
  if (!same) await pushWithToken(ws, 'origin', commit, PUBLISH_BRANCH, { force: true, token });
  const pr = await upsertPullRequest(client(token), parseRepo(ctx.repository), {
    head: PUBLISH_BRANCH,
    base,
    title,
    body: `${body.join('\n').trim()}\n\nFiles: ${PUBLIC_FILES.join(', ')}\n\nAnyone may open this pull request (\`sss-tool publish --submit\`): the check accepts it only if every file is byte for byte what the merged transcript generates.`,
  });
  lines.push(
    `${pr.action === 'created' ? 'Opened' : 'Updated'} pull request #${pr.number} from \`${PUBLISH_BRANCH}\` (${commit.slice(0, 12)}).`,
    '',
  );
  core.info(lines[0]);
  return pr.number;
}
