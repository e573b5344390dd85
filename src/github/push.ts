/**
 * Pushing (and fetching) as a chosen token. actions/checkout may persist the workflow token as an
 * `extraheader`; git sends every configured extra header, so adding ours beside it would send two
 * (GitHub refuses that) and keeping it would push as the workflow token, whose pushes start no
 * workflow. An empty `http.<url>.extraheader` resets the list (git-config(1)), then ours is the
 * only one. The header reaches git through GIT_CONFIG_COUNT/KEY/VALUE in the child's environment:
 * never on a command line (which other processes can read), never in the repository's config.
 */
import { spawn } from 'node:child_process';
import { SssError } from '../errors.js';

export async function pushWithToken(
  dir: string,
  remote: string,
  commit: string,
  branch: string,
  opts: { force?: boolean; token?: string } = {},
): Promise<void> {
  await gitWithToken(dir, remote, opts.token, [
    'push',
    ...(opts.force ? ['--force'] : []),
    remote,
    `${commit}:refs/heads/${branch}`,
  ]);
}

export async function fetchWithToken(dir: string, remote: string, branch: string, token?: string): Promise<void> {
  await gitWithToken(dir, remote, token, ['fetch', '--quiet', remote, branch]);
}

async function gitWithToken(dir: string, remote: string, token: string | undefined, args: string[]): Promise<void> {
  const url = (await run(dir, ['remote', 'get-url', remote], process.env)).trim();
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  if (token && /^https:\/\//.test(url)) {
    const key = `http.${new URL(url).origin}/.extraheader`;
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    Object.assign(env, {
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: key,
      GIT_CONFIG_VALUE_0: '',
      GIT_CONFIG_KEY_1: key,
      GIT_CONFIG_VALUE_1: `AUTHORIZATION: basic ${basic}`,
    });
  }
  await run(dir, args, env);
}

function run(dir: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new SssError(err.trim() || `git ${args[0]} failed`, { code: 'git' })),
    );
  });
}

/** Whether a failed push was refused because the branch moved on (another run pushed first). */
export function isNonFastForward(message: string): boolean {
  return (
    /non-fast-forward|fetch first|\[rejected\]|failed to update ref|cannot lock ref|stale info/i.test(message) &&
    !/protected branch|GH006|pre-receive hook declined/i.test(message)
  );
}
