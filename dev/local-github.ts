/**
 * A stand-in for the GitHub API endpoints sss-tool calls, on 127.0.0.1. The demo runs its pull
 * requests against it; the tests point GITHUB_API_URL at it and assert the requests it received.
 * It keeps everything in memory, records every request, and behaves like GitHub where a client
 * can tell: Link-header pagination and per_page, 401 for a missing or unknown token, 403 for a
 * missing permission and (with the x-ratelimit-* headers) for an exhausted rate limit, 422 for a
 * pull request that already exists or has no commits, base/head filters, issue and pull-request
 * numbers from one sequence. Given bare repositories (`repos`), it serves their pull requests and,
 * with `protect`, enforces branch protection: pushes to the branch are refused and the merge API
 * merges only when every required check reported success on the pull request's head.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { LocalSshKeys, localSshKeys } from './local-ssh-keys.js';
import {
  branchCommit,
  commitsAhead,
  mergeIntoBranch,
  MergeMethod,
  protectBranch,
  recordPullHead,
} from './local-git.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  authorization?: string;
}

export interface LocalUser {
  login: string;
  type: 'Bot' | 'User';
}

export interface LocalPull {
  number: number;
  /** The branch name (in the head repository). */
  head: string;
  /** owner/name of the repository the head branch lives in. */
  headRepo: string;
  base: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
  merged: boolean;
  mergeCommit?: string;
  html_url: string;
  user: LocalUser;
}

export interface LocalIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
  user: LocalUser;
  html_url: string;
}

export interface LocalComment {
  id: number;
  issue: number;
  body: string;
  user: LocalUser;
}

export interface CheckRun {
  sha: string;
  name: string;
  conclusion: 'success' | 'failure';
}

export interface Protection {
  branch: string;
  /** Names of the checks that must have succeeded on a pull request's head before it merges. */
  requiredChecks: string[];
}

/** An extra endpoint (other modules add theirs, e.g. users' SSH signing keys). */
export interface Route {
  method: string;
  pattern: RegExp;
  handle(req: RouteRequest): void | Promise<void>;
}

export interface RouteRequest {
  match: RegExpExecArray;
  query: URLSearchParams;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a request body, read field by field like GitHub does
  body: any;
  user: LocalUser;
  /** Sends a JSON answer; a list is paginated (per_page, page, Link). */
  send(status: number, value: unknown, opts?: { paginate?: boolean }): void;
}

export interface LocalGitHubOptions {
  /** Answer comment writes with 403, as GitHub does for a fork's read-only token. */
  readOnly?: boolean;
  /** When given, only these tokens authenticate (others get 401), each as its user. */
  tokens?: Record<string, LocalUser>;
  /** Bare repositories by owner/name, for pull requests' commits and the merge API. */
  repos?: Record<string, string>;
  /** Branch protection on every repository in `repos`. */
  protect?: Protection;
  routes?: Route[];
}

export interface LocalGitHub extends LocalSshKeys {
  url: string;
  requests: RecordedRequest[];
  comments: Map<number, LocalComment>;
  issues: LocalIssue[];
  pulls: LocalPull[];
  checks: CheckRun[];
  readOnly: boolean;
  /** Requests left before the rate limit answers 403 (Infinity: unlimited). */
  rateLimitRemaining: number;
  /** One-shot failures: the next request matching method and path gets this status. */
  failNext: { method: string; path: RegExp; status: number; message: string }[];
  /** Records a check run's conclusion on a commit, as a workflow job reports it. */
  reportCheck(sha: string, name: string, conclusion: 'success' | 'failure'): void;
  /** The commit a pull request's head branch points at now. */
  pullHead(number: number): string | undefined;
  close(): Promise<void>;
}

const DEFAULT_USER: LocalUser = { login: 'github-actions[bot]', type: 'Bot' };
const RATE_LIMIT = 5000;

export async function startLocalGitHub(opts: LocalGitHubOptions = {}): Promise<LocalGitHub> {
  const repos = opts.repos ?? {};
  if (opts.protect) for (const dir of Object.values(repos)) protectBranch(dir, opts.protect.branch);
  let nextId = 1000;
  // Users' SSH signing keys live in their own module (dev/local-ssh-keys.ts); the state is shared.
  const sshKeys = localSshKeys();
  const own: Omit<LocalGitHub, 'url' | 'close' | keyof LocalSshKeys> = {
    requests: [],
    comments: new Map(),
    issues: [],
    pulls: [],
    checks: [],
    readOnly: Boolean(opts.readOnly),
    rateLimitRemaining: Infinity,
    failNext: [],
    reportCheck: (sha, name, conclusion) => void gh.checks.push({ sha, name, conclusion }),
    pullHead: (number) => {
      const p = gh.pulls.find((x) => x.number === number);
      const dir = p && (repos[p.headRepo] ?? undefined);
      return dir ? branchCommit(dir, p.head) : undefined;
    },
  };
  const gh: Omit<LocalGitHub, 'url' | 'close'> = Object.assign(sshKeys, own);
  // Issues and pull requests share one sequence, as on GitHub; counted from what exists, so a pull
  // request a caller records directly (the demo's first one) takes its number too.
  const nextNumber = () => Math.max(0, ...gh.pulls.map((p) => p.number), ...gh.issues.map((i) => i.number)) + 1;
  let base = '';
  const issueUrl = (owner: string, repo: string, kind: 'issues' | 'pull', n: number) =>
    `https://github.invalid/${owner}/${repo}/${kind}/${n}`;
  const issueJson = (i: LocalIssue) => ({
    number: i.number,
    title: i.title,
    body: i.body,
    state: i.state,
    labels: i.labels.map((name) => ({ name })),
    user: i.user,
    html_url: i.html_url,
  });
  const pullJson = (p: LocalPull) => {
    const [owner] = p.headRepo.split('/');
    return {
      number: p.number,
      title: p.title,
      body: p.body,
      state: p.state,
      merged: p.merged,
      merge_commit_sha: p.mergeCommit ?? null,
      html_url: p.html_url,
      user: p.user,
      head: {
        ref: p.head,
        label: `${owner}:${p.head}`,
        sha: gh.pullHead(p.number) ?? null,
        repo: { full_name: p.headRepo },
      },
      base: { ref: p.base },
    };
  };
  const commentJson = (c: LocalComment) => ({ id: c.id, body: c.body, user: c.user });

  const routes: Route[] = [
    ...(opts.routes ?? []),
    // Issues (a pull request is an issue too: comments on either go through these endpoints).
    {
      method: 'GET',
      pattern: /^\/repos\/([^/]+)\/([^/]+)\/issues$/,
      handle: ({ query, send }) => {
        const state = query.get('state') ?? 'open';
        const labels = (query.get('labels') ?? '').split(',').filter(Boolean);
        const list = gh.issues.filter(
          (i) =>
            (state === 'all' || i.state === state) &&
            labels.every((l) => i.labels.includes(l)) &&
            (!query.get('creator') || i.user.login === query.get('creator')),
        );
        send(200, list.map(issueJson), { paginate: true });
      },
    },
    {
      method: 'POST',
      pattern: /^\/repos\/([^/]+)\/([^/]+)\/issues$/,
      handle: ({ match, body, user, send }) => {
        if (gh.readOnly) return forbidden(send);
        if (typeof body?.title !== 'string' || !body.title)
          return send(422, {
            message: 'Validation Failed',
            errors: [{ resource: 'Issue', code: 'missing_field', field: 'title' }],
          });
        const n = nextNumber();
        const issue: LocalIssue = {
          number: n,
          title: body.title,
          body: String(body.body ?? ''),
          state: 'open',
          labels: labelsOf(body.labels),
          user,
          html_url: issueUrl(match[1], match[2], 'issues', n),
        };
        gh.issues.push(issue);
        send(201, issueJson(issue));
      },
    },
    {
      method: 'GET',
      pattern: /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/,
      handle: ({ match, send }) => {
        const i = gh.issues.find((x) => x.number === Number(match[3]));
        return i ? send(200, issueJson(i)) : notFound(send);
      },
    },
    {
      method: 'PATCH',
      pattern: /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/,
      handle: ({ match, body, send }) => {
        if (gh.readOnly) return forbidden(send);
        const i = gh.issues.find((x) => x.number === Number(match[3]));
        if (!i) return notFound(send);
        if (typeof body?.title === 'string') i.title = body.title;
        if (typeof body?.body === 'string') i.body = body.body;
        if (body?.state === 'open' || body?.state === 'closed') i.state = body.state;
        if (body?.labels) i.labels = labelsOf(body.labels);
        send(200, issueJson(i));
      },
    },
    {
      method: 'GET',
      pattern: /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/,
      handle: ({ match, send }) =>
        send(200, [...gh.comments.values()].filter((c) => c.issue === Number(match[3])).map(commentJson), {
          paginate: true,
        }),
    },
    {
      method: 'POST',
      pattern: /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/,
      handle: ({ match, body, user, send }) => {
        if (gh.readOnly) return forbidden(send);
        const c: LocalComment = { id: nextId++, issue: Number(match[3]), body: String(body?.body ?? ''), user };
        gh.comments.set(c.id, c);
        send(201, commentJson(c));
      },
    },
    {
      method: 'GET',
      pattern: /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/,
      handle: ({ match, send }) => {
        const c = gh.comments.get(Number(match[3]));
        return c ? send(200, commentJson(c)) : notFound(send);
      },
    },
    {
      method: 'PATCH',
      pattern: /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/,
      handle: ({ match, body, send }) => {
        if (gh.readOnly) return forbidden(send);
        const c = gh.comments.get(Number(match[3]));
        if (!c) return notFound(send);
        c.body = String(body?.body ?? '');
        send(200, commentJson(c));
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/,
      handle: ({ match, send }) => {
        if (gh.readOnly) return forbidden(send);
        if (!gh.comments.delete(Number(match[3]))) return notFound(send);
        send(204, undefined);
      },
    },
    // Pull requests.
    {
      method: 'GET',
      pattern: /^\/repos\/([^/]+)\/([^/]+)\/pulls$/,
      handle: ({ match, query, send }) => {
        const state = query.get('state') ?? 'open';
        const head = query.get('head');
        const baseRef = query.get('base');
        const list = gh.pulls.filter(
          (p) =>
            (state === 'all' || p.state === state) &&
            (!baseRef || p.base === baseRef) &&
            (!head || headMatches(p, head, match[1])),
        );
        send(200, list.map(pullJson), { paginate: true });
      },
    },
    {
      method: 'POST',
      pattern: /^\/repos\/([^/]+)\/([^/]+)\/pulls$/,
      handle: ({ match, body, user, send }) => createPull(match[1], match[2], body, user, send),
    },
    {
      method: 'GET',
      pattern: /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/,
      handle: ({ match, send }) => {
        const p = gh.pulls.find((x) => x.number === Number(match[3]));
        return p ? send(200, pullJson(p)) : notFound(send);
      },
    },
    {
      method: 'PATCH',
      pattern: /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/,
      handle: ({ match, body, send }) => {
        const p = gh.pulls.find((x) => x.number === Number(match[3]));
        if (!p) return notFound(send);
        if (typeof body?.title === 'string') p.title = body.title;
        if (typeof body?.body === 'string') p.body = body.body;
        if ((body?.state === 'open' || body?.state === 'closed') && !p.merged) p.state = body.state;
        send(200, pullJson(p));
      },
    },
    {
      method: 'PUT',
      pattern: /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/merge$/,
      handle: ({ match, body, user, send }) => mergePull(`${match[1]}/${match[2]}`, Number(match[3]), body, user, send),
    },
    {
      method: 'GET',
      pattern: /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/check-runs$/,
      handle: ({ match, send }) => {
        const runs = gh.checks
          .filter((c) => c.sha === match[3])
          .map((c, i) => ({ id: i + 1, name: c.name, head_sha: c.sha, status: 'completed', conclusion: c.conclusion }));
        send(200, { total_count: runs.length, check_runs: runs });
      },
    },
  ];

  function headMatches(p: LocalPull, head: string, baseOwner: string): boolean {
    const [owner, branch] = head.includes(':') ? head.split(':', 2) : [baseOwner, head];
    return p.head === branch && p.headRepo.split('/')[0] === owner;
  }

  /** The repository a pull request's head comes from: `owner:branch` names a fork of the same name, or any of that owner's. */
  function headRepoOf(owner: string, repo: string, head: string): { headRepo: string; branch: string } {
    if (!head.includes(':')) return { headRepo: `${owner}/${repo}`, branch: head };
    const [headOwner, branch] = head.split(':', 2);
    const same = `${headOwner}/${repo}`;
    const headRepo =
      repos[same] || headOwner === owner
        ? same
        : (Object.keys(repos).find((k) => k.startsWith(`${headOwner}/`)) ?? same);
    return { headRepo, branch };
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a request body, read field by field like GitHub does
  function createPull(owner: string, repo: string, body: any, user: LocalUser, send: RouteRequest['send']): void {
    if (gh.readOnly) return forbidden(send);
    if (typeof body?.head !== 'string' || typeof body?.base !== 'string' || typeof body?.title !== 'string')
      return send(422, {
        message: 'Validation Failed',
        errors: [{ resource: 'PullRequest', code: 'missing_field', field: 'head, base or title' }],
      });
    const { headRepo, branch } = headRepoOf(owner, repo, body.head);
    const label = `${headRepo.split('/')[0]}:${branch}`;
    if (
      gh.pulls.some((p) => p.state === 'open' && p.base === body.base && p.headRepo === headRepo && p.head === branch)
    )
      return send(422, {
        message: 'Validation Failed',
        errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${label}.` }],
      });
    const baseDir = repos[`${owner}/${repo}`];
    const headDir = repos[headRepo];
    const n = nextNumber();
    if (baseDir && headDir) {
      const baseSha = branchCommit(baseDir, body.base);
      if (!baseSha)
        return send(422, {
          message: 'Validation Failed',
          errors: [{ resource: 'PullRequest', field: 'base', code: 'invalid' }],
        });
      const headSha = recordPullHead(baseDir, headDir, branch, n);
      if (!headSha)
        return send(422, {
          message: 'Validation Failed',
          errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }],
        });
      if (commitsAhead(baseDir, baseSha, headSha) === 0)
        return send(422, {
          message: 'Validation Failed',
          errors: [
            { resource: 'PullRequest', code: 'custom', message: `No commits between ${body.base} and ${label}` },
          ],
        });
    }
    const p: LocalPull = {
      number: n,
      head: branch,
      headRepo,
      base: body.base,
      title: body.title,
      body: String(body.body ?? ''),
      state: 'open',
      merged: false,
      html_url: issueUrl(owner, repo, 'pull', n),
      user,
    };
    gh.pulls.push(p);
    send(201, pullJson(p));
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a request body, read field by field like GitHub does
  function mergePull(full: string, number: number, body: any, user: LocalUser, send: RouteRequest['send']): void {
    if (gh.readOnly) return forbidden(send);
    const p = gh.pulls.find((x) => x.number === number);
    const dir = repos[full];
    if (!p || !dir) return notFound(send);
    if (p.state !== 'open') return send(405, { message: 'Pull Request is not mergeable' });
    const head = recordPullHead(dir, repos[p.headRepo] ?? dir, p.head, p.number);
    if (!head) return send(405, { message: 'Pull Request is not mergeable' });
    if (body?.sha && body.sha !== head)
      return send(409, { message: 'Head branch was modified. Review and try the merge again.' });
    if (opts.protect && p.base === opts.protect.branch) {
      for (const name of opts.protect.requiredChecks) {
        const runs = gh.checks.filter((c) => c.sha === head && c.name === name);
        const last = runs[runs.length - 1];
        if (!last) return send(405, { message: `Required status check "${name}" is expected.` });
        if (last.conclusion !== 'success') return send(405, { message: `Required status check "${name}" is failing.` });
      }
    }
    const method: MergeMethod = body?.merge_method === 'squash' ? 'squash' : 'merge';
    const [owner] = p.headRepo.split('/');
    const title =
      body?.commit_title ??
      (method === 'merge' ? `Merge pull request #${p.number} from ${owner}/${p.head}` : `${p.title} (#${p.number})`);
    const r = mergeIntoBranch(dir, p.base, head, {
      method,
      title,
      message: body?.commit_message ?? p.title,
      author: user.login,
    });
    if ('conflict' in r) return send(405, { message: r.conflict });
    p.state = 'closed';
    p.merged = true;
    p.mergeCommit = r.sha;
    send(200, { sha: r.sha, merged: true, message: 'Pull Request successfully merged' });
  }

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://localhost');
    let text = '';
    for await (const chunk of req) text += chunk;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a request body, read field by field like GitHub does
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const method = req.method ?? 'GET';
    gh.requests.push({
      method,
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      body,
      authorization: req.headers.authorization,
    });
    const limitHeaders = () => {
      const remaining = Number.isFinite(gh.rateLimitRemaining) ? Math.max(0, gh.rateLimitRemaining) : RATE_LIMIT;
      return {
        'x-ratelimit-limit': String(RATE_LIMIT),
        'x-ratelimit-remaining': String(remaining),
        'x-ratelimit-used': String(RATE_LIMIT - remaining),
        'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1),
        'x-ratelimit-resource': 'core',
      };
    };
    const send: RouteRequest['send'] = (status, value, o = {}) => {
      const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', ...limitHeaders() };
      let out = value;
      if (o.paginate && Array.isArray(value)) {
        const perPage = Math.min(100, Math.max(1, Number(u.searchParams.get('per_page')) || 30));
        const page = Math.max(1, Number(u.searchParams.get('page')) || 1);
        const last = Math.max(1, Math.ceil(value.length / perPage));
        out = value.slice((page - 1) * perPage, page * perPage);
        const link = (p: number, rel: string) => {
          const q = new URLSearchParams(u.searchParams);
          q.set('page', String(p));
          q.set('per_page', String(perPage));
          return `<${base}${u.pathname}?${q}>; rel="${rel}"`;
        };
        const links = [
          ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []),
          ...(page > 1 ? [link(1, 'first'), link(page - 1, 'prev')] : []),
        ];
        if (links.length) headers.link = links.join(', ');
      }
      res.writeHead(status, headers);
      res.end(status === 204 || out === undefined ? undefined : JSON.stringify(out));
    };

    // Authentication first, then the rate limit, then injected failures, as GitHub orders them.
    const token = /^(?:token|bearer)\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    let user = DEFAULT_USER;
    if (opts.tokens) {
      const known = token ? opts.tokens[token] : undefined;
      if (!known) return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      user = known;
    }
    if (Number.isFinite(gh.rateLimitRemaining)) {
      if (gh.rateLimitRemaining <= 0)
        return send(403, {
          message:
            'API rate limit exceeded for installation. If you reach out to GitHub Support for help, please include the request ID.',
        });
      gh.rateLimitRemaining--;
    }
    const inject = gh.failNext.findIndex((f) => f.method === method && f.path.test(u.pathname));
    if (inject >= 0) {
      const [f] = gh.failNext.splice(inject, 1);
      return send(f.status, { message: f.message });
    }
    if (sshKeys.handle(method, u.pathname, body, req.headers.authorization, send)) return;
    for (const r of routes) {
      const match = r.method === method ? r.pattern.exec(u.pathname) : null;
      if (match) return r.handle({ match, query: u.searchParams, body, user, send });
    }
    notFound(send);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return Object.assign(gh, {
    url: base,
    close: () => new Promise<void>((r) => server.close(() => r())),
  });
}

function forbidden(send: RouteRequest['send']): void {
  send(403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' });
}

function notFound(send: RouteRequest['send']): void {
  send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
}

function labelsOf(v: unknown): string[] {
  return Array.isArray(v)
    ? v.map((l) => (typeof l === 'string' ? l : String((l as { name?: unknown })?.name ?? ''))).filter(Boolean)
    : [];
}
