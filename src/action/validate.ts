/**
 * pull_request: is this pull request a valid next step of its ceremonies? The changes come from
 * git (merge base to the checkout's HEAD), never from the API. The checks are the rules of
 * src/ceremony/rules.ts and the full audit `sss-tool verify` runs, on the checkout and, for
 * "has the earlier step closed", on the merge base.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import { SssError } from '../errors.js';
import { auditRepository } from '../ceremony/repository.js';
import { auditProblems, checkChanges, RepositoryView, touchedCeremonies } from '../ceremony/rules.js';
import { changedFiles, commitOf, exportTree, mergeBase } from '../github/git.js';
import { Inputs, repositoryView, RunContext } from './context.js';
import {
  annotate,
  ceremoniesMarkdown,
  comment,
  Problem,
  problemsMarkdown,
  setOutputs,
  writeSummary,
} from './report.js';

export interface ValidationResult {
  problems: Problem[];
  ceremonies: string[];
}

export async function validate(inputs: Inputs, ctx: RunContext): Promise<ValidationResult> {
  const pr = ctx.event.pull_request;
  if (!pr) throw new SssError('validate needs a pull_request event (GITHUB_EVENT_PATH)', { code: 'usage' });
  const author: string = pr.user?.login ?? '';
  const number: number = pr.number ?? ctx.event.number;
  const baseSha: string | undefined = pr.base?.sha;
  const ws = ctx.workspace;
  const head = await commitOf(ws, 'HEAD');
  if (!head) throw new SssError(`${ws} is not a git checkout`, { code: 'git' });
  if (!baseSha || !(await commitOf(ws, baseSha)))
    throw new SssError(
      `the checkout lacks the pull request's base commit ${baseSha ?? '(none in the event)'}: use actions/checkout with fetch-depth: 0`,
      { code: 'git' },
    );
  const base = await mergeBase(ws, baseSha, head);
  const changes = changedFiles(ws, base, head);
  core.info(
    `Pull request #${number} by @${author}: ${changes.length} changed file${changes.length === 1 ? '' : 's'} from ${base.slice(0, 12)} to ${head.slice(0, 12)}.`,
  );

  const headState = auditRepository(join(ws, inputs.ceremoniesDir), ws);
  const touched = touchedCeremonies(changes, inputs.ceremoniesDir);
  const temps: string[] = [];
  let problems: Problem[];
  try {
    const ruleErrors = checkChanges(changes, {
      author,
      maintainers: inputs.maintainers,
      ceremoniesDir: inputs.ceremoniesDir,
      publicInfoDir: inputs.publicInfoDir,
      head: repositoryView(ws, inputs.ceremoniesDir, headState),
      base: (): RepositoryView => {
        const dir = exportTree(ws, base, inputs.ceremoniesDir);
        temps.push(dir);
        return repositoryView(dir, inputs.ceremoniesDir, auditRepository(join(dir, inputs.ceremoniesDir), dir));
      },
    });
    const audit = auditProblems(headState, touched, new Set(changes.map((c) => c.path)));
    problems = dedupe([...ruleErrors.map((error) => ({ error })), ...audit]);
  } finally {
    for (const d of temps) rmSync(d, { recursive: true, force: true });
  }

  annotate(problems);
  const verdict = problems.length
    ? `❌ **${problems.length} problem${problems.length === 1 ? '' : 's'}**: this pull request cannot be merged as it is.`
    : changes.length
      ? '✅ **Valid**: every changed file passes the ceremony rules and the full audit.'
      : '✅ Nothing changed.';
  const md = [
    `## sss-tool: pull request #${number} by @${author}`,
    '',
    verdict,
    '',
    problemsMarkdown(problems),
    touched.length ? '#### The ceremony with this pull request merged\n' : '',
    touched.length ? ceremoniesMarkdown(headState, touched) : '',
  ].join('\n');
  await writeSummary(md);
  await comment(inputs.token, ctx.repository, number, md);
  setOutputs(headState);
  if (problems.length)
    core.setFailed(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in pull request #${number}: ${problems[0].error.message}`,
    );
  else core.info(`Pull request #${number} is valid.`);
  return { problems, ceremonies: touched };
}

/**
 * One entry per file and reason: the rules and the audit both see a symlink or a stray file; the
 * rules' reason (the longer one) is kept.
 */
function dedupe(problems: Problem[]): Problem[] {
  const out: Problem[] = [];
  for (const p of problems) {
    const same = out.find(
      (q) =>
        q.error.file === p.error.file &&
        (q.error.reason === p.error.reason || (p.error.file && q.error.reason.startsWith(p.error.reason))),
    );
    if (!same) out.push(p);
  }
  return out;
}
