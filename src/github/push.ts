/**
 * Pushing as a chosen token. actions/checkout persists the workflow token as an `extraheader`;
 * git sends every configured extra header, so adding ours beside it would send two (GitHub
 * refuses that) and keeping it would push as the workflow token, whose pushes start no workflow.
 * An empty `http.<url>.extraheader` resets the list (git-config(1)), then ours is the only one.
 * The token travels in `-c` configuration of the git child process only: never on a logged
 * command line of ours, never in the repository's config.
 */
import { git } from './git.js';

export async function pushWithToken(
  dir: string,
  remote: string,
  commit: string,
  branch: string,
  opts: { force?: boolean; token?: string } = {},
): Promise<void> {
  const url = (await git(dir).raw(['remote', 'get-url', remote])).trim();
  const auth: string[] = [];
  if (opts.token && /^https:\/\//.test(url)) {
    const key = `http.${new URL(url).origin}/.extraheader`;
    const basic = Buffer.from(`x-access-token:${opts.token}`).toString('base64');
    auth.push('-c', `${key}=`, '-c', `${key}=AUTHORIZATION: basic ${basic}`);
  }
  await git(dir).raw([...auth, 'push', ...(opts.force ? ['--force'] : []), remote, `${commit}:refs/heads/${branch}`]);
}

/** Whether a failed push was refused because the branch moved on (another run pushed first). */
export function isNonFastForward(message: string): boolean {
  return (
    /non-fast-forward|fetch first|\[rejected\]|failed to update ref|cannot lock ref|stale info/i.test(message) &&
    !/protected branch|GH006|pre-receive hook declined/i.test(message)
  );
}
