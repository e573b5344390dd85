/**
 * The GitHub API side (Octokit): the token, the repository a remote points at, the Action's one
 * status comment per pull request, and pull requests opened for a step or for public_info/.
 * The API base URL comes from GITHUB_API_URL when set (GitHub Enterprise, and the tests' local server).
 */
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck';
import { RepoRef } from './repo.js';

/** Octokit with GitHub's recommended retries (5xx, network) and throttling (primary and secondary rate limits). */
const Client = Octokit.plugin(retry, throttling);

/** How long a rate-limited request may wait for the limit to reset before the run gives up on it. */
const MAX_RATE_LIMIT_WAIT_S = 60;

export { parseRepo, repoFromRemoteUrl, resolveToken, type RepoRef } from './repo.js';

export function client(token: string, baseUrl = process.env.GITHUB_API_URL || 'https://api.github.com'): Octokit {
  // One retry after a rate limit, and only when the reset is near: a run must not hang for an hour.
  const onLimit = (retryAfter: number, _options: unknown, _o: unknown, retryCount: number) =>
    retryCount < 1 && retryAfter <= MAX_RATE_LIMIT_WAIT_S;
  const url = baseUrl.replace(/\/+$/, '');
  return new Client({
    auth: token,
    baseUrl: url,
    userAgent: 'sss-tool',
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    throttle: { onRateLimit: onLimit, onSecondaryRateLimit: onLimit, ...(isLoopback(url) ? unpaced() : {}) },
    // 405 (not mergeable) and 409 (head moved) are answers, not outages.
    retry: { doNotRetry: [400, 401, 403, 404, 405, 409, 410, 422, 451] },
  });
}

/** The local stand-in (and GitHub Enterprise on localhost) is not github.com: no secondary limits to respect. */
function isLoopback(url: string): boolean {
  try {
    return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
  } catch {
    return false;
  }
}

/**
 * Throttling groups without GitHub's pacing (1 s between writes, 3 s between notifying writes):
 * the rate-limit handling stays, only the waits go, so the demo and tests against 127.0.0.1 run
 * at the speed of the machine.
 */
function unpaced() {
  return {
    write: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
    notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
  };
}

/**
 * Whether an Octokit error is GitHub's rate limit (a 403 or 429 with x-ratelimit-remaining: 0, or
 * a secondary limit's message) rather than a missing permission: the two need different advice.
 */
export function isRateLimited(e: unknown): boolean {
  const status = httpStatus(e);
  if (status !== 403 && status !== 429) return false;
  const headers = (e as { response?: { headers?: Record<string, string | undefined> } }).response?.headers ?? {};
  if (headers['x-ratelimit-remaining'] === '0' || headers['retry-after'] !== undefined) return true;
  return /rate limit/i.test((e as Error).message ?? '');
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

/**
 * Opens the pull request from `head`, or brings the open one up to date (title and body): the
 * publish pull request is one, however many runs push to its branch. A 422 "already exists" from
 * a concurrent run is the same outcome.
 */
export async function upsertPullRequest(
  o: Octokit,
  r: RepoRef,
  pr: NewPull,
): Promise<{ number: number; url: string; action: 'created' | 'updated' }> {
  const head = pr.head.includes(':') ? pr.head : `${r.owner}:${pr.head}`;
  const find = async () => (await o.rest.pulls.list({ ...r, head, base: pr.base, state: 'open', per_page: 1 })).data[0];
  let open = await find();
  if (!open) {
    try {
      const made = await o.rest.pulls.create({ ...r, ...pr });
      return { number: made.data.number, url: made.data.html_url, action: 'created' };
    } catch (e) {
      if (httpStatus(e) !== 422 || !(open = await find())) throw e;
    }
  }
  if (open.title !== pr.title || open.body !== pr.body)
    await o.rest.pulls.update({ ...r, pull_number: open.number, title: pr.title, body: pr.body });
  return { number: open.number, url: open.html_url, action: 'updated' };
}
