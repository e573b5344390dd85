/**
 * The git side of the local GitHub stand-in: a bare repository served as GitHub serves one. With
 * branch protection on, `git push` to the protected branch is refused by a pre-receive hook (as
 * GitHub refuses it: "protected branch hook declined"), and the branch moves only through the
 * merge API, which writes the merge commit with plumbing in the bare repository itself (no push,
 * so no hook to bypass and no bypass to leak).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Runs git in a bare repository; undefined on failure (the caller answers with an HTTP error). */
export function gitIn(dir: string, args: string[], env: Record<string, string> = {}): string | undefined {
  const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The commit a branch of the bare repository points at, if it exists. */
export function branchCommit(dir: string, branch: string): string | undefined {
  return gitIn(dir, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]);
}

/**
 * Installs the hook that refuses any push that creates, moves or deletes the protected branch.
 * Pushes to every other branch go through, as on GitHub.
 */
export function protectBranch(dir: string, branch: string): void {
  const hooks = join(dir, 'hooks');
  if (!existsSync(hooks)) throw new Error(`${dir} is not a bare git repository (no hooks/)`);
  const hook = join(hooks, 'pre-receive');
  const script = [
    '#!/bin/sh',
    '# Installed by the sss-tool local GitHub stand-in: branch protection.',
    'status=0',
    'while read old new ref; do',
    `  if [ "$ref" = "refs/heads/${branch}" ]; then`,
    `    echo "error: GH006: Protected branch update failed for refs/heads/${branch}." >&2`,
    '    echo "error: Changes must be made through a pull request. Required status check is expected." >&2',
    '    status=1',
    '  fi',
    'done',
    'exit $status',
    '',
  ].join('\n');
  writeFileSync(hook, script);
  chmodSync(hook, 0o755);
}

/** Makes `refs/pull/<n>/head` point at the pull request's head commit, fetched from its repository. */
export function recordPullHead(baseDir: string, headDir: string, branch: string, number: number): string | undefined {
  const ref = `refs/pull/${number}/head`;
  if (headDir === baseDir) {
    const sha = branchCommit(baseDir, branch);
    if (sha) gitIn(baseDir, ['update-ref', ref, sha]);
    return sha;
  }
  if (gitIn(baseDir, ['fetch', '--quiet', '--no-tags', headDir, `+refs/heads/${branch}:${ref}`]) === undefined)
    return undefined;
  return gitIn(baseDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
}

/** How many commits `head` has that `base` has not. */
export function commitsAhead(dir: string, base: string, head: string): number {
  return Number(gitIn(dir, ['rev-list', '--count', `${base}..${head}`]) ?? '0');
}

export type MergeMethod = 'merge' | 'squash';

/**
 * Merges `head` into `branch` as GitHub's merge button does: a merge commit (or one squashed
 * commit) written with plumbing and the branch moved with a compare-and-swap. Returns the new
 * commit, or a reason it cannot merge.
 */
export function mergeIntoBranch(
  dir: string,
  branch: string,
  head: string,
  opts: { method: MergeMethod; title: string; message: string; author: string },
): { sha: string } | { conflict: string } {
  const base = branchCommit(dir, branch);
  if (!base) return { conflict: `the base branch ${branch} does not exist` };
  const tree = gitIn(dir, ['merge-tree', '--write-tree', base, head]);
  if (!tree) return { conflict: 'Merge conflict' };
  const treeId = tree.split('\n')[0];
  const identity = {
    GIT_AUTHOR_NAME: opts.author,
    GIT_AUTHOR_EMAIL: `${opts.author}@users.noreply.github.invalid`,
    GIT_COMMITTER_NAME: 'GitHub',
    GIT_COMMITTER_EMAIL: 'noreply@github.invalid',
  };
  const parents = opts.method === 'merge' ? ['-p', base, '-p', head] : ['-p', base];
  const sha = gitIn(
    dir,
    ['commit-tree', treeId, ...parents, '-m', opts.title, ...(opts.message ? ['-m', opts.message] : [])],
    identity,
  );
  if (!sha) return { conflict: 'could not write the merge commit' };
  if (gitIn(dir, ['update-ref', `refs/heads/${branch}`, sha, base]) === undefined)
    return { conflict: 'Base branch was modified. Review and try the merge again.' };
  return { sha };
}
