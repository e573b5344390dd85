/**
 * One tracking issue per ceremony, like a signing event: the push run opens it and keeps its body
 * current (phase, the table with each participant's login, standing and open pull request, the
 * commands the awaited run next). When a new step opens, one comment mentions exactly the people
 * it waits for; otherwise the body is edited in place and notifies nobody. A complete ceremony's
 * issue gets a last comment and is closed. The pull-request comment links to the issue.
 */
import * as core from '@actions/core';
import type { Octokit } from '@octokit/rest';
import { RepositoryState } from '../ceremony/repository.js';
import { CeremonyStatus, ceremonyStatus, OpenPull, parseStepBranch, Where } from '../ceremony/next-steps.js';
import { nextStepMarkdown, roundOpenedMarkdown, trackingBodyMarkdown } from '../ceremony/status-render.js';
import { client, httpStatus, parseRepo, RepoRef } from '../github/api.js';
import { Inputs, RunContext } from './context.js';

/** The label on every tracking issue: how the Action lists them. */
export const TRACKING_LABEL = 'sss-tool ceremony';

const marker = (ceremony: string) => `<!-- sss-tool:tracking:${ceremony} -->`;
const ROUND = /<!-- sss-tool:round:([a-z0-9:]+) -->/;

export interface TrackingIssue {
  number: number;
  url: string;
  body: string;
  state: 'open' | 'closed';
}

export interface TrackResult {
  ceremony: string;
  issue: number;
  action: 'opened' | 'round-opened' | 'updated' | 'unchanged';
}

/** Where the participants' commands run: the upstream repository's URL and default branch. */
export function whereFor(inputs: Inputs, ctx: RunContext): Where {
  const server = (process.env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  const defaultBranch: string =
    ctx.event.repository?.default_branch ?? ctx.ref?.replace(/^refs\/heads\//, '') ?? 'main';
  return { ceremoniesDir: inputs.ceremoniesDir, defaultBranch, upstream: `${server}/${ctx.repository}.git` };
}

/** The Action's tracking issue of each ceremony, by ceremony id (only issues a bot opened count). */
export async function trackingIssues(o: Octokit, r: RepoRef): Promise<Map<string, TrackingIssue>> {
  const issues = await o.paginate(o.rest.issues.listForRepo, {
    ...r,
    state: 'all',
    labels: TRACKING_LABEL,
    per_page: 100,
  });
  const out = new Map<string, TrackingIssue>();
  for (const i of issues.sort((a, b) => a.number - b.number)) {
    if (i.pull_request || i.user?.type !== 'Bot' || typeof i.body !== 'string') continue;
    const m = /<!-- sss-tool:tracking:([a-z0-9][a-z0-9._-]{0,62}) -->/.exec(i.body);
    if (m && !out.has(m[1]))
      out.set(m[1], {
        number: i.number,
        url: i.html_url,
        body: i.body,
        state: i.state === 'closed' ? 'closed' : 'open',
      });
  }
  return out;
}

/** The open pull requests that carry a ceremony step (`--submit` branch names). */
export async function openStepPulls(o: Octokit, r: RepoRef): Promise<OpenPull[]> {
  const pulls = await o.paginate(o.rest.pulls.list, { ...r, state: 'open', per_page: 100 });
  const out: OpenPull[] = [];
  for (const p of pulls) {
    const step = parseStepBranch(p.head?.ref ?? '');
    if (step) out.push({ number: p.number, url: p.html_url, author: p.user?.login, ...step });
  }
  return out;
}

function bodyFor(s: CeremonyStatus, sha?: string): string {
  const footer = `<sub>Kept up to date by the sss-tool Action${sha ? ` (last run on ${sha.slice(0, 12)})` : ''}. New to this? [The participant's guide](https://github.com/proofofcloud/sss-tool/blob/main/docs/participants.md).</sub>`;
  return `${marker(s.report.ceremony)}\n<!-- sss-tool:round:${s.round} -->\n${trackingBodyMarkdown(s, footer)}`;
}

/** Opens or updates one ceremony's tracking issue; posts the round-opening comment on a new step. */
async function trackOne(
  o: Octokit,
  r: RepoRef,
  s: CeremonyStatus,
  issue: TrackingIssue | undefined,
  sha?: string,
): Promise<TrackResult | undefined> {
  const id = s.report.ceremony;
  const body = bodyFor(s, sha);
  const complete = s.report.phase === 'complete';
  if (!issue) {
    // A ceremony that completed before tracking existed gets no issue.
    if (complete) return undefined;
    const made = await o.rest.issues.create({ ...r, title: `Ceremony ${id}: status`, body, labels: [TRACKING_LABEL] });
    await o.rest.issues.createComment({ ...r, issue_number: made.data.number, body: roundOpenedMarkdown(s) });
    return { ceremony: id, issue: made.data.number, action: 'opened' };
  }
  const before = ROUND.exec(issue.body)?.[1];
  const state = complete ? 'closed' : 'open';
  if (before === s.round) {
    if (issue.body === body && issue.state === state) return { ceremony: id, issue: issue.number, action: 'unchanged' };
    await o.rest.issues.update({ ...r, issue_number: issue.number, body, state });
    return { ceremony: id, issue: issue.number, action: 'updated' };
  }
  await o.rest.issues.update({ ...r, issue_number: issue.number, body });
  await o.rest.issues.createComment({ ...r, issue_number: issue.number, body: roundOpenedMarkdown(s) });
  if (issue.state !== state) await o.rest.issues.update({ ...r, issue_number: issue.number, state });
  return { ceremony: id, issue: issue.number, action: 'round-opened' };
}

/**
 * Keeps every ceremony's tracking issue current. Never fails the run: a token without
 * `issues: write` only loses the issue, and the job summary still has the table.
 */
export async function track(inputs: Inputs, ctx: RunContext, state: RepositoryState): Promise<TrackResult[]> {
  if (!inputs.token || !ctx.repository) {
    core.notice('No token or repository: no tracking issues.');
    return [];
  }
  if (ctx.event.repository?.fork) return [];
  const o = client(inputs.token);
  const r = parseRepo(ctx.repository);
  const where = whereFor(inputs, ctx);
  const out: TrackResult[] = [];
  try {
    const [issues, pulls] = await Promise.all([trackingIssues(o, r), openStepPulls(o, r)]);
    for (const report of state.reports.values()) {
      const t = await trackOne(
        o,
        r,
        ceremonyStatus(report, pulls, where),
        issues.get(report.ceremony),
        process.env.GITHUB_SHA,
      );
      if (!t) continue;
      out.push(t);
      core.info(`Tracking issue #${t.issue} of ${t.ceremony}: ${t.action}.`);
    }
  } catch (e) {
    const status = httpStatus(e);
    const why = status === 403 || status === 404 ? ` (HTTP ${status}: give the workflow \`issues: write\`)` : '';
    core.warning(
      `Could not update the ceremonies' tracking issues: ${(e as Error).message}${why}. The job summary has the status.`,
    );
  }
  return out;
}

/**
 * The next-step lines of a pull request's comment, one per ceremony it touches, each linking to
 * the ceremony's tracking issue when there is one. No open-pull-request lookup: the line says
 * what the step waits for, and the issue has the rest.
 */
export async function nextStepLines(
  inputs: Inputs,
  ctx: RunContext,
  state: RepositoryState,
  ceremonies: string[],
): Promise<string> {
  let issues = new Map<string, TrackingIssue>();
  if (inputs.token && ctx.repository) {
    try {
      issues = await trackingIssues(client(inputs.token), parseRepo(ctx.repository));
    } catch {
      // a token that cannot list issues: the line goes without its link
    }
  }
  const where = whereFor(inputs, ctx);
  return ceremonies
    .map((id) => state.reports.get(id))
    .filter((rep) => rep !== undefined)
    .map((rep) => nextStepMarkdown(ceremonyStatus(rep, [], where), issues.get(rep.ceremony)))
    .join('\n\n');
}
