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

/** The branch a remote's HEAD points at (its default branch). */
export async function remoteDefaultBranch(dir: string, remote: string): Promise<string> {
  const out = await git(dir).raw(['ls-remote', '--symref', remote, 'HEAD']);
  const m = /^ref: refs\/heads\/(\S+)\s+HEAD/m.exec(out);
  if (!m) throw new SssError(`cannot tell the default branch of remote ${remote}: pass --base`, { code: 'usage' });
  return m[1];
}

export interface StepCommit {
  remote: string;
  /** Branch the commit is made on top of (fetched from the remote). */
  base: string;
  branch: string;
  /** Absolute paths of the files to commit, inside the repository. */
  files: string[];
  message: string;
}

/**
 * Commits exactly `files` on top of the remote's `base` and pushes the commit as `branch`. Builds
 * the commit in a private index, so the checkout, its index and its current branch stay as they
 * are. A file already on the base with the same bytes is left out; one with other bytes is refused
 * (the transcript is append-only). Afterwards the untracked copies are removed from the checkout:
 * `git pull` brings them back once the pull request is merged.
 */
export async function commitAndPushStep(
  dir: string,
  s: StepCommit,
): Promise<{ commit: string; baseCommit: string; files: string[] }> {
  const g = git(dir);
  const top = (await g.revparse(['--show-toplevel'])).trim();
  await g.fetch(s.remote, s.base);
  const baseCommit = (await g.revparse(['FETCH_HEAD'])).trim();
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
    await g.raw(['push', '--force', s.remote, `${commit}:refs/heads/${s.branch}`]);
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
  const auth = await authConfig(dir, await remoteUrl(dir, remote), opts.token);
  await git(dir).raw([...auth, 'push', ...(opts.force ? ['--force'] : []), remote, `${commit}:refs/heads/${branch}`]);
}

export async function remoteUrl(dir: string, remote: string): Promise<string> {
  return (await git(dir).raw(['remote', 'get-url', remote])).trim();
}

/**
 * The header actions/checkout sets, for a token and an https remote, unless the checkout already
 * persisted one (two Authorization headers make GitHub refuse the push).
 */
async function authConfig(dir: string, url: string, token?: string): Promise<string[]> {
  if (!token || !/^https:\/\//.test(url)) return [];
  const origin = new URL(url).origin;
  const key = `http.${origin}/.extraheader`;
  const persisted = await git(dir)
    .raw(['config', '--get-all', key])
    .catch(() => '');
  if (persisted.trim()) return [];
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  return ['-c', `${key}=AUTHORIZATION: basic ${basic}`];
}

/**
 * Whether a file of the checkout is merged: its bytes equal the blob at the remote's default
 * branch as last fetched (`refs/remotes/<remote>/HEAD`, else `<remote>/main`). No network: the
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
  const head = run(['symbolic-ref', '--quiet', `refs/remotes/${remote}/HEAD`]);
  const ref = head.status === 0 ? head.stdout.toString().trim() : `refs/remotes/${remote}/main`;
  const rel = relative(top.stdout.toString().trim(), resolve(absPath)).split('\\').join('/');
  const blob = run(['cat-file', 'blob', `${ref}:${rel}`]);
  if (blob.status !== 0) return 'absent';
  return Buffer.compare(blob.stdout, bytes) === 0 ? 'merged' : 'differs';
}
