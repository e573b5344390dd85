/**
 * The git side of the GitHub flow (simple-git, plus plain `git cat-file --batch` where bytes must
 * stay bytes): what a pull request changed, the files of a commit, a participant's step as one
 * commit on its own branch, and public_info/ committed and pushed.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { simpleGit, SimpleGit } from 'simple-git';
import { SssError } from '../errors.js';
import { Change } from '../ceremony/rules.js';
import { MAX_ARTIFACT_BYTES } from '../ceremony/tree.js';

// What a read-only command asks of the local checkout lives apart, without simple-git.
import { knownDefaultBranch } from './local-git.js';
export { knownDefaultBranch, localWhere, upstreamRemote } from './local-git.js';

export function git(dir: string): SimpleGit {
  return simpleGit({ baseDir: dir });
}

/** Runs git with byte-exact stdin and stdout (and, for a private index, extra environment). */
function gitBytes(dir: string, args: string[], input?: Buffer, env?: Record<string, string>): Buffer {
  const r = spawnSync('git', args, {
    cwd: dir,
    input,
    maxBuffer: 1 << 30,
    env: env ? { ...process.env, ...env } : process.env,
  });
  if (r.status !== 0) throw new SssError(`git ${args[0]} failed: ${r.stderr.toString().trim()}`, { code: 'git' });
  return r.stdout;
}

/** Resolves a revision to a commit id; undefined when the repository does not have it. */
export async function commitOf(dir: string, rev: string): Promise<string | undefined> {
  try {
    return (await git(dir).raw(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`])).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The tree id of a revision; undefined when the repository does not have it. */
export async function treeOf(dir: string, rev: string): Promise<string | undefined> {
  try {
    return (await git(dir).raw(['rev-parse', '--verify', '--quiet', `${rev}^{tree}`])).trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function mergeBase(dir: string, a: string, b: string): Promise<string> {
  try {
    return (await git(dir).raw(['merge-base', a, b])).trim();
  } catch (e) {
    throw new SssError(
      `no merge base of ${a} and ${b}: check out the full history (actions/checkout with fetch-depth: 0) (${(e as Error).message.trim()})`,
      { code: 'git' },
    );
  }
}

/** Reads blobs by id in one `git cat-file --batch`. */
function readBlobs(dir: string, ids: string[]): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (!ids.length) return out;
  const buf = gitBytes(dir, ['cat-file', '--batch'], Buffer.from(ids.join('\n') + '\n'));
  let at = 0;
  for (const id of ids) {
    const nl = buf.indexOf(0x0a, at);
    const [oid, type, size] = buf.subarray(at, nl).toString().split(' ');
    if (type === 'missing' || oid !== id) throw new SssError(`git object ${id} is missing`, { code: 'git' });
    const n = Number(size);
    out.set(id, buf.subarray(nl + 1, nl + 1 + n));
    at = nl + 1 + n + 1;
  }
  return out;
}

/** Sizes of blobs by id in one `git cat-file --batch-check`. */
function blobSizes(dir: string, ids: string[]): Map<string, number> {
  const out = new Map<string, number>();
  if (!ids.length) return out;
  const lines = gitBytes(dir, ['cat-file', '--batch-check'], Buffer.from(ids.join('\n') + '\n'))
    .toString()
    .trim()
    .split('\n');
  for (const line of lines) {
    const [oid, , size] = line.split(' ');
    out.set(oid, Number(size));
  }
  return out;
}

/**
 * What changed from `base` to `head`, from git itself: status, modes (so a symlink is seen as
 * one), sizes, and the new bytes of every regular file small enough to be an artifact.
 */
export function changedFiles(dir: string, base: string, head: string): Change[] {
  const raw = gitBytes(dir, ['diff', '--raw', '-z', '--no-renames', '--no-abbrev', base, head]).toString('utf8');
  const parts = raw.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  const changes: (Change & { blob: string })[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const [oldMode, mode, , blob, status] = parts[i].replace(/^:/, '').split(' ');
    changes.push({ status: status[0] as Change['status'], path: parts[i + 1], oldMode, mode, blob });
  }
  const live = changes.filter((c) => c.status !== 'D' && (c.mode === '100644' || c.mode === '100755'));
  const sizes = blobSizes(
    dir,
    live.map((c) => c.blob),
  );
  for (const c of live) c.size = sizes.get(c.blob);
  const small = live.filter((c) => (c.size ?? 0) <= MAX_ARTIFACT_BYTES);
  const blobs = readBlobs(dir, [...new Set(small.map((c) => c.blob))]);
  for (const c of small) c.content = blobs.get(c.blob);
  return changes.map(({ blob: _blob, ...c }) => c);
}

/**
 * Writes the files under `subdir` as they are at `rev` into a new temp directory (symlinks as
 * symlinks), without touching the checkout. Returns the directory; the caller removes it.
 */
export function exportTree(dir: string, rev: string, subdir: string): string {
  const out = mkdtempSync(join(tmpdir(), 'sss-base-'));
  const listing = gitBytes(dir, ['ls-tree', '-r', '-z', '--full-tree', rev, '--', subdir]).toString('utf8');
  const entries = listing
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf('\t');
      const [mode, type, oid] = line.slice(0, tab).split(' ');
      return { mode, type, oid, path: line.slice(tab + 1) };
    })
    .filter((e) => e.type === 'blob');
  const blobs = readBlobs(dir, [...new Set(entries.map((e) => e.oid))]);
  for (const e of entries) {
    const target = resolve(out, e.path);
    if (relative(out, target).startsWith('..')) continue;
    mkdirSync(dirname(target), { recursive: true });
    if (e.mode === '120000') symlinkSync(blobs.get(e.oid)!.toString('utf8'), target);
    else writeFileSync(target, blobs.get(e.oid)!);
  }
  return out;
}

/**
 * A credential helper that answers git's `get` with the token from the environment: the token
 * reaches git through SSS_TOOL_GIT_TOKEN, never through a command line, a URL or a config file.
 * The empty helper before it drops the user's own helpers for this one command. It is registered
 * for the GitHub server's https URL only (GITHUB_SERVER_URL, else github.com): a remote on any
 * other host (a mirror, a redirect) is never offered the token.
 */
const TOKEN_HELPER =
  '!f() { test "$1" = get || exit 0; echo username=x-access-token; printf "password=%s\\n" "$SSS_TOOL_GIT_TOKEN"; }; f';

/** `git -c …` arguments and environment that offer `token` to an https remote, and never prompt. */
export function tokenAuth(token?: string): { args: string[]; env: Record<string, string> } {
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0' };
  if (!token) return { args: [], env };
  return {
    args: ['-c', 'credential.helper=', '-c', `credential.${githubServerOrigin()}.helper=${TOKEN_HELPER}`],
    env: { ...env, SSS_TOOL_GIT_TOKEN: token },
  };
}

/** The GitHub server the token belongs to, as git matches credential URLs (https://host[:port]). */
function githubServerOrigin(): string {
  try {
    const u = new URL(process.env.GITHUB_SERVER_URL || 'https://github.com');
    return u.protocol === 'https:' ? u.origin : 'https://github.com';
  } catch {
    return 'https://github.com';
  }
}

/** Runs a git command that talks to a remote, with the token (if any) offered by the helper. */
function gitRemote(dir: string, args: string[], token?: string): string {
  const auth = tokenAuth(token);
  const r = spawnSync('git', [...auth.args, ...args], {
    cwd: dir,
    maxBuffer: 1 << 26,
    env: { ...process.env, ...auth.env },
  });
  if (r.status !== 0)
    throw new SssError(
      `git ${args[0]} ${args[args.length - 2] ?? ''} failed: ${r.stderr.toString().trim().split('\n').slice(-1)[0]}`,
      { code: 'git' },
    );
  return r.stdout.toString('utf8');
}

/** The branch a remote's HEAD points at (its default branch), asked of the remote itself. */
export function remoteDefaultBranch(dir: string, remote: string, token?: string): string {
  const out = gitRemote(dir, ['ls-remote', '--symref', remote, 'HEAD'], token);
  const m = /^ref: refs\/heads\/(\S+)\s+HEAD/m.exec(out);
  if (!m) throw new SssError(`cannot tell the default branch of ${remote}: pass --base`, { code: 'usage' });
  return m[1];
}

/** The top of the git checkout `dir` is in, or undefined outside one. */
export function checkoutTop(dir: string): string | undefined {
  const r = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd: dir });
  return r.status === 0 ? r.stdout.toString().trim() : undefined;
}

export interface StepCommit {
  /** Where the base is fetched from: the upstream repository (a remote's name or a URL). */
  fetchFrom: string;
  /** Where the branch is pushed: the participant's fork, or the upstream itself. */
  pushTo: string;
  /** Branch the commit is made on top of (fetched fresh from `fetchFrom`). */
  base: string;
  branch: string;
  /** Absolute paths of the files to commit, inside the repository. */
  files: string[];
  message: string;
  /** Offered to https remotes by a credential helper. */
  token?: string;
}

/**
 * Commits exactly `files` on top of the upstream's `base` and pushes the commit as `branch`. Builds
 * the commit in a private index, so the checkout, its index and its current branch stay as they
 * are. A file already on the base with the same bytes is left out; one with other bytes is refused
 * (the transcript is append-only). Afterwards the untracked copies are removed from the checkout:
 * `git pull` brings them back once the pull request is merged.
 */
export async function commitAndPushStep(
  dir: string,
  s: StepCommit,
): Promise<{ commit: string; baseCommit: string; files: string[] }> {
  const top = checkoutTop(dir);
  if (!top) throw new SssError(`${dir} is not a git checkout`, { code: 'usage', field: '--repo' });
  gitRemote(top, ['fetch', '--quiet', s.fetchFrom, `refs/heads/${s.base}`], s.token);
  const baseCommit = gitBytes(top, ['rev-parse', 'FETCH_HEAD^{commit}']).toString().trim();
  const tmp = mkdtempSync(join(tmpdir(), 'sss-index-'));
  try {
    // simple-git refuses a custom environment that carries EDITOR and the like: plain git here.
    const index = { GIT_INDEX_FILE: join(tmp, 'index') };
    const gi = (...args: string[]) => gitBytes(top, args, undefined, index).toString('utf8').trim();
    gi('read-tree', baseCommit);
    const added: string[] = [];
    for (const f of s.files) {
      const rel = relative(top, f).split('\\').join('/');
      if (rel.startsWith('..')) throw new SssError('file is outside the repository', { code: 'io', file: f });
      const blob = gi('hash-object', '-w', '--', rel);
      const onBase = gi('ls-files', '-s', '--', rel);
      if (onBase) {
        if (onBase.split(/\s+/)[1] === blob) continue;
        throw new SssError(
          `${s.base} already has a different ${rel}: the transcript is append-only (pull, then re-run the step)`,
          { code: 'git', file: rel },
        );
      }
      gi('update-index', '--add', '--cacheinfo', `100644,${blob},${rel}`);
      added.push(rel);
    }
    if (!added.length) throw new SssError(`nothing to submit: ${s.base} already has these files`, { code: 'git' });
    const tree = gi('write-tree');
    const commit = gi('commit-tree', tree, '-p', baseCommit, '-m', s.message);
    gitRemote(top, ['push', '--quiet', '--force', s.pushTo, `${commit}:refs/heads/${s.branch}`], s.token);
    // The files now live on the branch. Left untracked here, they would block the `git pull` that
    // brings them back once the pull request is merged.
    const tracked = new Set(
      gitBytes(top, ['ls-files', '-z', '--', ...s.files.map((f) => relative(top, f))])
        .toString('utf8')
        .split('\0'),
    );
    for (const f of s.files) if (!tracked.has(relative(top, f).split('\\').join('/'))) rmSync(f, { force: true });
    return { commit, baseCommit, files: added };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Stages and commits repository-relative paths as the Actions bot; returns the commit. */
export async function commitAsBot(dir: string, paths: string[], message: string): Promise<string> {
  const g = git(dir);
  await g.raw(['add', '--', ...paths]);
  await g.raw([
    '-c',
    'user.name=github-actions[bot]',
    '-c',
    'user.email=41898282+github-actions[bot]@users.noreply.github.com',
    'commit',
    '--no-verify',
    '-m',
    message,
    '--',
    ...paths,
  ]);
  return (await g.revparse(['HEAD'])).trim();
}

/** Pushes a commit to a branch of a remote, authenticated with the token for an https remote. */
export async function pushCommit(
  dir: string,
  remote: string,
  commit: string,
  branch: string,
  opts: { force?: boolean; token?: string } = {},
): Promise<void> {
  // The token goes through the credential helper and the environment: on a command line (an
  // extraheader) any local user could read it in the process list.
  gitRemote(dir, ['push', ...(opts.force ? ['--force'] : []), remote, `${commit}:refs/heads/${branch}`], opts.token);
}

export async function remoteUrl(dir: string, remote: string): Promise<string> {
  return (await git(dir).raw(['remote', 'get-url', remote])).trim();
}

/**
 * Whether a file of the checkout is merged: its bytes equal the blob at the remote's default
 * branch as last fetched (see knownDefaultBranch). No network: the
 * caller says `git pull` first. 'no-git' outside a git checkout or without that remote.
 */
export function mergedState(
  dir: string,
  remote: string,
  absPath: string,
  bytes: Buffer,
): 'merged' | 'differs' | 'absent' | 'no-git' {
  const run = (args: string[]) => spawnSync('git', args, { cwd: dir, maxBuffer: 1 << 26 });
  const top = run(['rev-parse', '--show-toplevel']);
  if (top.status !== 0) return 'no-git';
  if (run(['remote', 'get-url', remote]).status !== 0) return 'no-git';
  const ref = `refs/remotes/${remote}/${knownDefaultBranch(dir, remote)}`;
  const rel = relative(top.stdout.toString().trim(), resolve(absPath)).split('\\').join('/');
  const blob = run(['cat-file', 'blob', `${ref}:${rel}`]);
  if (blob.status !== 0) return 'absent';
  return Buffer.compare(blob.stdout, bytes) === 0 ? 'merged' : 'differs';
}
