/**
 * Which GitHub repository, and with which token: plain string work, kept apart from Octokit so the
 * CLI can settle both before it loads the API client.
 */
import { execFileSync } from 'node:child_process';
import { SssError } from '../errors.js';

export interface RepoRef {
  owner: string;
  repo: string;
}

/** owner/name, checked. */
export function parseRepo(s: string, field = 'repository'): RepoRef {
  const m = /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(s.trim());
  if (!m) throw new SssError(`expected owner/name, got ${JSON.stringify(s)}`, { code: 'malformed', field });
  return { owner: m[1], repo: m[2] };
}

/** The owner and name in a GitHub remote URL (https, ssh or scp-like); undefined for anything else. */
export function repoFromRemoteUrl(url: string): RepoRef | undefined {
  const m =
    /^(?:https?:\/\/(?:[^@/]+@)?[^/]+\/|ssh:\/\/git@[^/]+\/|git@[^:]+:)([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+?)(?:\.git)?\/?$/.exec(
      url.trim(),
    );
  return m ? { owner: m[1], repo: m[2] } : undefined;
}

/** GITHUB_TOKEN, else GH_TOKEN, else what `gh auth token` prints; throws a clear error otherwise. */
export function resolveToken(env: NodeJS.ProcessEnv = process.env): string {
  const t = env.GITHUB_TOKEN || env.GH_TOKEN;
  if (t) return t;
  try {
    const out = execFileSync('gh', ['auth', 'token'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      env,
    }).trim();
    if (out) return out;
  } catch {
    // no gh, or not logged in: the error below says what to do
  }
  throw new SssError('no GitHub token: set GITHUB_TOKEN, or log in with `gh auth login`', {
    code: 'usage',
    field: '--submit',
  });
}
