/**
 * How the Action tells people: annotations on the offending files, the job summary (the round
 * table and what is awaited from whom), one pull-request comment kept up to date, and outputs.
 */
import * as core from '@actions/core';
import { SssError } from '../errors.js';
import { renderMarkdown } from '../ceremony/render.js';
import { RepositoryState } from '../ceremony/repository.js';
import { client, httpStatus, parseRepo, upsertComment } from '../github/api.js';

/** Hidden in the comment body: how the Action finds its own comment again. */
const COMMENT_MARKER = '<!-- sss-tool:status -->';

export interface Problem {
  error: SssError;
  /** The problem is in a file merged before this pull request (or in no file). */
  merged?: boolean;
}

const esc = (s: string) => s.replace(/[|<>]/g, (c) => `\\${c}`);

/** One error annotation per problem, on its file when it names one. */
export function annotate(problems: Problem[]): void {
  for (const p of problems) {
    const e = p.error;
    const text =
      p.merged && e.file
        ? `${e.reason}${e.field ? ` (field ${e.field})` : ''} (merged before this pull request)`
        : `${e.reason}${e.field ? ` (field ${e.field})` : ''}`;
    const culprit = e.culprit ? ` (culprit: ${e.culprit})` : '';
    if (e.file) core.error(text + culprit, { title: `sss-tool: ${e.file}`, file: e.file, startLine: 1 });
    else core.error(e.message);
  }
}

/** The problems as a Markdown table. */
export function problemsMarkdown(problems: Problem[]): string {
  if (!problems.length) return '';
  const rows = problems.map(
    (p) =>
      `| ${p.error.file ? `\`${esc(p.error.file)}\`` : '(repository)'} | ${esc(p.error.reason)}${p.error.field ? ` (field \`${esc(p.error.field)}\`)` : ''}${p.error.culprit ? ` (culprit: ${esc(p.error.culprit)})` : ''}${p.merged && p.error.file ? ' (merged before this pull request)' : ''} |`,
  );
  return ['| file | problem |', '|---|---|', ...rows, ''].join('\n');
}

/** The round table of each ceremony, as Markdown. */
export function ceremoniesMarkdown(state: RepositoryState, ids?: string[]): string {
  const reports = [...state.reports.values()].filter((r) => !ids || ids.includes(r.ceremony));
  if (!reports.length) return '_No ceremonies yet._\n';
  return reports.map(renderMarkdown).join('\n');
}

/** Writes the job summary (or, outside Actions, prints it). */
export async function writeSummary(markdown: string): Promise<void> {
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown, true).write();
  else core.info(markdown);
}

export function setOutputs(state: RepositoryState): void {
  const status = Object.fromEntries([...state.reports.values()].map((r) => [r.ceremony, r.phase]));
  core.setOutput('status', JSON.stringify(status));
  core.setOutput(
    'completed',
    [...state.reports.values()]
      .filter((r) => r.phase === 'complete')
      .map((r) => r.ceremony)
      .join(','),
  );
  core.setOutput('public-key', state.group?.publicKey ?? '');
}

/**
 * Creates or updates the Action's one comment on a pull request. A token that may not comment (a
 * pull request from a fork gets a read-only one) is not a failure: the job summary has the report.
 */
export async function comment(
  token: string,
  repository: string | undefined,
  issue: number,
  body: string,
): Promise<void> {
  if (!token || !repository) {
    core.notice('No token or repository: the report is in the job summary only.');
    return;
  }
  try {
    const r = await upsertComment(
      client(token),
      parseRepo(repository),
      issue,
      COMMENT_MARKER,
      `${COMMENT_MARKER}\n${body}`,
    );
    core.info(`${r.action === 'created' ? 'Commented on' : 'Updated the comment on'} pull request #${issue}.`);
  } catch (e) {
    const status = httpStatus(e);
    if (status === 403 || status === 404)
      core.notice(
        `Cannot comment on pull request #${issue} (HTTP ${status}: a pull request from a fork gets a read-only token). The report is in the job summary.`,
      );
    else
      core.warning(
        `Could not comment on pull request #${issue}: ${(e as Error).message}. The report is in the job summary.`,
      );
  }
}
