/**
 * The GitHub API side (Octokit): the token, the repository a remote points at, the Action's one
 * status comment per pull request, and pull requests opened for a step or for public_info/.
 * The API base URL comes from GITHUB_API_URL when set (GitHub Enterprise, and the tests' local server).
 */
import { Octokit } from '@octokit/rest';
import { RepoRef } from './repo.js';

export { parseRepo, repoFromRemoteUrl, resolveToken, type RepoRef } from './repo.js';

export function client(token: string, baseUrl = process.env.GITHUB_API_URL || 'https://api.github.com'): Octokit {
  return new Octokit({
    auth: token,
    baseUrl: baseUrl.replace(/\/+$/, ''),
    userAgent: 'sss-tool',
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}

/** The HTTP status of an Octokit error (0 for anything else). */
export function httpStatus(e: unknown): number {
  const s = (e as { status?: unknown })?.status;
  return typeof s === 'number' ? s : 0;
}

/**
 * Creates the comment that carries `marker` on an issue or pull request, or updates it in place:
 * one comment per pull request, however many times the check runs.
 */
export async function upsertComment(
  o: Octokit,
  r: RepoRef,
  issue: number,
  marker: string,
  body: string,
): Promise<{ action: 'created' | 'updated'; id: number }> {
  const text = body.includes(marker) ? body : `${marker}\n${body}`;
  const comments = await o.paginate(o.rest.issues.listComments, { ...r, issue_number: issue, per_page: 100 });
  // Only a bot's comment is ours: anyone can post the marker, and must not steer our report.
  const mine = comments.find((c) => c.user?.type === 'Bot' && typeof c.body === 'string' && c.body.includes(marker));
  if (mine) {
    await o.rest.issues.updateComment({ ...r, comment_id: mine.id, body: text });
    return { action: 'updated', id: mine.id };
  }
  const made = await o.rest.issues.createComment({ ...r, issue_number: issue, body: text });
  return { action: 'created', id: made.data.id };
}

export interface NewPull {
  /** `branch`, or `owner:branch` for a branch in a fork. */
  head: string;
  base: string;
  title: string;
  body: string;
}

/** Opens a pull request; when one is already open for the same head, returns that one. */
export async function openPullRequest(
  o: Octokit,
  r: RepoRef,
  pr: NewPull,
): Promise<{ number: number; url: string; existed: boolean }> {
  const existing = await o.rest.pulls.list({
    ...r,
    head: pr.head.includes(':') ? pr.head : `${r.owner}:${pr.head}`,
    base: pr.base,
    state: 'open',
  });
  if (existing.data.length) return { number: existing.data[0].number, url: existing.data[0].html_url, existed: true };
  const made = await o.rest.pulls.create({ ...r, ...pr });
  return { number: made.data.number, url: made.data.html_url, existed: false };
}
