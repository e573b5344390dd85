/**
 * A stand-in for the few GitHub API endpoints sss-tool calls (issue comments, pull requests), on
 * 127.0.0.1. The demo runs its pull requests against it; the tests point GITHUB_API_URL at it
 * and assert the requests it received. It keeps everything in memory and records every request.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  authorization?: string;
}

export interface LocalPull {
  number: number;
  head: string;
  base: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
  html_url: string;
}

export interface LocalGitHub {
  url: string;
  requests: RecordedRequest[];
  comments: Map<number, { id: number; issue: number; body: string; user: { login: string; type: 'Bot' | 'User' } }>;
  pulls: LocalPull[];
  /** Answer comment writes with 403, as GitHub does for a fork's read-only token. */
  readOnly: boolean;
  close(): Promise<void>;
}

export async function startLocalGitHub(opts: { readOnly?: boolean } = {}): Promise<LocalGitHub> {
  const state: Omit<LocalGitHub, 'url' | 'close'> = {
    requests: [],
    comments: new Map(),
    pulls: [],
    readOnly: Boolean(opts.readOnly),
  };
  let nextId = 1000;
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://localhost');
    let text = '';
    for await (const chunk of req) text += chunk;
    const body = text ? JSON.parse(text) : undefined;
    state.requests.push({
      method: req.method ?? 'GET',
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      body,
      authorization: req.headers.authorization,
    });
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const forbidden = () => send(403, { message: 'Resource not accessible by integration' });
    let m: RegExpExecArray | null;
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(u.pathname))) {
      const issue = Number(m[3]);
      if (req.method === 'GET')
        return send(
          200,
          [...state.comments.values()]
            .filter((c) => c.issue === issue)
            .map(({ id, body, user }) => ({ id, body, user })),
        );
      if (req.method === 'POST') {
        if (state.readOnly) return forbidden();
        const c = {
          id: nextId++,
          issue,
          body: String(body?.body ?? ''),
          user: { login: 'github-actions[bot]', type: 'Bot' as const },
        };
        state.comments.set(c.id, c);
        return send(201, { id: c.id, body: c.body });
      }
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(u.pathname)) && req.method === 'PATCH') {
      if (state.readOnly) return forbidden();
      const c = state.comments.get(Number(m[3]));
      if (!c) return send(404, { message: 'Not Found' });
      c.body = String(body?.body ?? '');
      return send(200, { id: c.id, body: c.body });
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/pulls$/.exec(u.pathname))) {
      const [owner, repo] = [m[1], m[2]];
      if (req.method === 'GET') {
        const head = u.searchParams.get('head');
        const open = state.pulls.filter(
          (p) => p.state === 'open' && (!head || `${owner}:${p.head}` === head || p.head === head),
        );
        return send(
          200,
          open.map((p) => ({ number: p.number, html_url: p.html_url, head: { ref: p.head }, base: { ref: p.base } })),
        );
      }
      if (req.method === 'POST') {
        const number = state.pulls.length + 1;
        const p: LocalPull = {
          number,
          head: body.head,
          base: body.base,
          title: body.title,
          body: body.body ?? '',
          state: 'open',
          html_url: `https://github.invalid/${owner}/${repo}/pull/${number}`,
        };
        state.pulls.push(p);
        return send(201, { number, html_url: p.html_url });
      }
    }
    send(404, { message: 'Not Found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  });
}
