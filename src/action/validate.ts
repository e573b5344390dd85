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
import { auditRepository, RepositoryState } from '../ceremony/repository.js';
import { auditProblems, Change, checkChanges, RepositoryView, touchedCeremonies } from '../ceremony/rules.js';
import { client } from '../github/api.js';
import { changedFiles, commitOf, exportTree } from '../github/git.js';
import { signingKeyDirectory } from '../github/ssh-signing-keys.js';
import { mdCode, oneLine } from '../ceremony/markdown.js';
import {
  bindingProblems,
  CONFIG_PATH,
  diffBase,
  joinStartProblems,
  judgeNotice,
  pushProblems,
  rulesAt,
} from './judge.js';
import { Inputs, repositoryView, RunContext } from './context.js';
import { nextStepLines } from './tracking.js';
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
  const ev = reviewedEvent(ctx);
  const ws = ctx.workspace;
  const { base, rules, changes } = await reviewedChanges(ws, inputs, ev);
  inputs = rules.inputs;
  const headState = auditRepository(join(ws, inputs.ceremoniesDir), ws);
  const touched = touchedCeremonies(changes, inputs.ceremoniesDir);
  const { problems, optedOut } = await judgeChanges(ws, inputs, ev, { base, changes, headState, touched });
  annotate(problems);
  const md = [
    ...verdictLines(ev, problems, changes.length, {
      notice: judgeNotice(changes, ev.queue ? undefined : (ev.author ?? ''), inputs.maintainers),
      rulesFromInputs: rules.source === 'inputs',
      optedOut,
    }),
    problemsMarkdown(problems),
    touched.length ? '#### The ceremony with this pull request merged\n' : '',
    touched.length ? ceremoniesMarkdown(headState, touched) : '',
    touched.length ? await nextStepLines(inputs, ctx, headState, touched) : '',
  ].join('\n');
  await writeSummary(md);
  if (!ev.queue) await comment(inputs.token, ctx.repository, ev.number, md);
  setOutputs(headState);
  const what = ev.queue ? `merge queue group ${ev.queue}` : `pull request #${ev.number}`;
  if (problems.length)
    core.setFailed(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${what}: ${problems[0].error.message}`,
    );
  else core.info(`${ev.queue ? `Merge queue group ${ev.queue}` : `Pull request #${ev.number}`} is valid.`);
  return { problems, ceremonies: touched };
}

/**
 * The changes under review, from git between the merge base and the checkout's HEAD (never from
 * the API), and the rules (maintainers, directories) as the base has them: never from the pull request.
 */
async function reviewedChanges(ws: string, inputs: Inputs, ev: ReviewedEvent) {
  const head = await commitOf(ws, 'HEAD');
  if (!head) throw new SssError(`${ws} is not a git checkout`, { code: 'git' });
  const base = ev.queue ? await queueBase(ws, ev.baseSha) : await diffBase(ws, head, ev.baseSha, ev.headSha);
  const rules = rulesAt(ws, base, inputs);
  const changes = changedFiles(ws, base, head);
  const author = ev.author ?? '';
  core.info(
    oneLine(
      `${ev.queue ? `Merge queue group ${ev.queue}` : `Pull request #${ev.number} by @${author}${ev.sender && ev.sender !== author ? `, pushed by @${ev.sender}` : ''}`}: ${changes.length} changed file${changes.length === 1 ? '' : 's'} from ${base.slice(0, 12)} to ${head.slice(0, 12)}; rules from ${rules.source === 'file' ? `${CONFIG_PATH} at the base` : 'the workflow inputs'}.`,
    ),
  );
  return { base, rules, changes };
}

/**
 * Every problem with the changes: the rules of src/ceremony/rules.ts, who pushed, how a join
 * starts, identity binding, and the full audit of the touched ceremonies. The base's tree is
 * exported only when a rule asks "has the earlier step closed", and removed after.
 */
async function judgeChanges(
  ws: string,
  inputs: Inputs,
  ev: ReviewedEvent,
  r: { base: string; changes: Change[]; headState: RepositoryState; touched: string[] },
): Promise<{ problems: Problem[]; optedOut: string[] }> {
  const { changes, headState } = r;
  const author = ev.author ?? '';
  const temps: string[] = [];
  try {
    let baseView: RepositoryView | undefined;
    const baseRepo = (): RepositoryView => {
      if (baseView) return baseView;
      const dir = exportTree(ws, r.base, inputs.ceremoniesDir);
      temps.push(dir);
      return (baseView = repositoryView(
        dir,
        inputs.ceremoniesDir,
        auditRepository(join(dir, inputs.ceremoniesDir), dir),
      ));
    };
    const headView = repositoryView(ws, inputs.ceremoniesDir, headState);
    const ruleErrors = checkChanges(changes, {
      author,
      mergeQueue: Boolean(ev.queue),
      maintainers: inputs.maintainers,
      ceremoniesDir: inputs.ceremoniesDir,
      publicInfoDir: inputs.publicInfoDir,
      head: headView,
      base: baseRepo,
    });
    const pushErrors = ev.queue
      ? []
      : pushProblems(changes, {
          author,
          sender: ev.sender,
          maintainers: inputs.maintainers,
          ceremoniesDir: inputs.ceremoniesDir,
        });
    const joinStart = joinStartProblems(changes, inputs.ceremoniesDir, headView, baseRepo);
    const binding = await bindingProblems(
      changes,
      inputs.ceremoniesDir,
      headView,
      baseRepo,
      signingKeyDirectory(client(inputs.token)),
    );
    const audit = auditProblems(headState, r.touched, new Set(changes.map((c) => c.path)));
    const problems = dedupe(
      [...pushErrors, ...binding.errors, ...joinStart, ...ruleErrors].map((error) => ({ error })).concat(audit),
    );
    // Blame the pull request's own files before anything merged earlier.
    return {
      problems: [...problems.filter((p) => !p.merged), ...problems.filter((p) => p.merged)],
      optedOut: binding.optedOut,
    };
  } finally {
    for (const d of temps) rmSync(d, { recursive: true, force: true });
  }
}

/** The summary's and the comment's head: the judge's notice, the title, the verdict and the notes. */
function verdictLines(
  ev: ReviewedEvent,
  problems: Problem[],
  changed: number,
  o: { notice: string | undefined; rulesFromInputs: boolean; optedOut: string[] },
): string[] {
  const notes = [
    o.rulesFromInputs
      ? `_Rules from the workflow inputs: a pull request can change them. Commit \`${CONFIG_PATH}\` so they come from the base (docs/maintainers.md)._`
      : '',
    ...o.optedOut.map(
      (id) =>
        `_Ceremony ${id} opts out of the SSH-signing-key binding (identityBinding: pull-request-author): its identities are bound by the pull request's author alone._`,
    ),
  ].filter(Boolean);
  const verdict = problems.length
    ? `❌ **${problems.length} problem${problems.length === 1 ? '' : 's'}**: this pull request cannot be merged as it is.`
    : changed
      ? '✅ **Valid**: every changed file passes the ceremony rules and the full audit.'
      : '✅ Nothing changed.';
  return [
    ...(o.notice ? [o.notice, ''] : []),
    ev.queue
      ? `## sss-tool: merge queue group ${mdCode(ev.queue)}`
      : `## sss-tool: pull request #${ev.number} by ${mdCode(`@${ev.author ?? ''}`)}`,
    '',
    verdict,
    '',
    ...notes.flatMap((n) => [n, '']),
  ];
}

/** What the run reviews: a pull request (its author and who pushed), or a merge queue's group. */
interface ReviewedEvent {
  number: number;
  author?: string;
  sender?: string;
  baseSha?: string;
  /** The pull request's head commit (the second parent of GitHub's test merge). */
  headSha?: string;
  /** The merge group's head ref, for merge_group events. */
  queue?: string;
}

function reviewedEvent(ctx: RunContext): ReviewedEvent {
  const g = ctx.event.merge_group;
  if (ctx.eventName === 'merge_group') {
    if (!g?.base_sha)
      throw new SssError('validate needs a merge_group event with base_sha (GITHUB_EVENT_PATH)', { code: 'usage' });
    return { number: 0, baseSha: g.base_sha, queue: String(g.head_ref ?? g.head_sha ?? 'merge group') };
  }
  const pr = ctx.event.pull_request;
  if (!pr) throw new SssError('validate needs a pull_request event (GITHUB_EVENT_PATH)', { code: 'usage' });
  return {
    number: pr.number ?? ctx.event.number,
    author: pr.user?.login ?? '',
    sender: ctx.event.sender?.login,
    baseSha: pr.base?.sha,
    headSha: pr.head?.sha,
  };
}

/** A merge group is checked against the base branch it will be pushed onto. */
async function queueBase(ws: string, baseSha: string | undefined): Promise<string> {
  const base = baseSha && (await commitOf(ws, baseSha));
  if (!base)
    throw new SssError(
      `the checkout lacks the merge group's base commit ${baseSha}: use actions/checkout with fetch-depth: 0`,
      { code: 'git' },
    );
  return base;
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
