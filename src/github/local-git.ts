/**
 * What a read-only command asks of the local checkout (its remotes, a remote's default branch),
 * with plain `git` and without simple-git, so that `status` loads neither (src/github/git.ts
 * re-exports these for the writing commands). Local only, no network.
 */
import { spawnSync } from 'node:child_process';

/** The checkout's remotes, or undefined when `git remote` fails (not a git checkout). */
function remotes(dir: string): string[] | undefined {
  const r = spawnSync('git', ['remote'], { cwd: dir });
  return r.status === 0 ? r.stdout.toString().split('\n') : undefined;
}

function preferred(names: string[]): string | undefined {
  return names.includes('upstream') ? 'upstream' : names.includes('origin') ? 'origin' : undefined;
}

/**
 * The remote a participant's checkout pulls merged steps from: `upstream` when there is one (a
 * clone of a fork), else `origin`.
 */
export function upstreamRemote(dir: string): string | undefined {
  return preferred(remotes(dir) ?? []);
}

/**
 * The default branch of a remote as this checkout last saw it, without relying on
 * `refs/remotes/<remote>/HEAD` (a `git remote add` never sets it): that ref when set, else the
 * first of main and master the remote has, else main.
 */
export function knownDefaultBranch(dir: string, remote: string): string {
  const head = spawnSync('git', ['symbolic-ref', '--quiet', '--short', `refs/remotes/${remote}/HEAD`], { cwd: dir });
  if (head.status === 0)
    return head.stdout
      .toString()
      .trim()
      .slice(remote.length + 1);
  for (const b of ['main', 'master'])
    if (
      spawnSync('git', ['rev-parse', '--verify', '--quiet', `refs/remotes/${remote}/${b}`], { cwd: dir }).status === 0
    )
      return b;
  return 'main';
}

/** Where `sss-tool status` says the commands run: this checkout, its upstream remote. */
export function localWhere(dir: string): { ceremoniesDir: string; defaultBranch: string; upstream: string } {
  const names = remotes(dir);
  const remote = preferred(names ?? []) ?? 'origin';
  // Where `git remote` fails, so would the three ref look-ups (no checkout, no refs): the answer
  // is their fallback, main, without three more spawns.
  return {
    ceremoniesDir: 'ceremonies',
    defaultBranch: names ? knownDefaultBranch(dir, remote) : 'main',
    upstream: remote,
  };
}
