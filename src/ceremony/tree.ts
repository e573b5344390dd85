/**
 * The one way artifacts are read from disk, for the CLI, the Action and the warm-up alike: one
 * guarded read (no symbolic link, FIFO or device followed, at most MAX_ARTIFACT_BYTES), a whole
 * ceremony directory in its fixed layout (docs/protocol.md §5; anything else under it is reported,
 * never silently ignored), and a ceremony as a command sees it, with the files named on its command line.
 */
import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { parseJson } from '../artifacts/schemas.js';
import { SssError } from '../errors.js';
import { CEREMONY_ID, MONIKER } from '../crypto/suite.js';

/** Largest artifact accepted (a round-1 artifact at N=1000, M=1000 is ~70 kB). */
export const MAX_ARTIFACT_BYTES = 512 * 1024;

export interface RawFile {
  /** Path as shown to people: relative to the repository root when known. */
  file: string;
  value: unknown;
}

export interface CeremonyFiles {
  id: string;
  dir: string;
  manifest?: RawFile;
  /** Files by role; each map is keyed by the moniker in the file name. */
  byRole: Map<string, Map<string, RawFile>>;
  /** Single-file roles (join: request.json, finalize.json). */
  singles: Map<string, RawFile>;
  errors: SssError[];
}

/** Per-moniker folders and single files a ceremony may hold, by kind. */
const LAYOUT = {
  folders: ['round1', 'round2', 'finalize', 'approvals', 'dealings'],
  singles: ['ceremony.json', 'request.json', 'finalize.json'],
};

/**
 * Where a repository path sits in the layout: ceremonies/<id>/<file> or
 * ceremonies/<id>/<folder>/<moniker>.json. Returns undefined for a path outside it.
 */
export function classifyPath(
  rel: string,
  ceremoniesDir = 'ceremonies',
): { ceremony: string; role: string; moniker?: string } | undefined {
  const prefix = ceremoniesDir.replace(/\/+$/, '') + '/';
  if (!rel.startsWith(prefix)) return undefined;
  const parts = rel.slice(prefix.length).split('/');
  if (!CEREMONY_ID.test(parts[0] ?? '')) return undefined;
  if (parts.length === 2 && LAYOUT.singles.includes(parts[1]))
    return { ceremony: parts[0], role: parts[1].replace(/\.json$/, '') };
  if (parts.length === 3 && LAYOUT.folders.includes(parts[1])) {
    const m = /^(.+)\.json$/.exec(parts[2]);
    if (m && MONIKER.test(m[1])) return { ceremony: parts[0], role: parts[1], moniker: m[1] };
  }
  return undefined;
}

/**
 * An artifact's text. Opened without following a symbolic link and without blocking on a FIFO,
 * then checked on the open descriptor (a regular file, not too large), so nothing swapped in
 * between the check and the read is read.
 */
export function readArtifactText(path: string, shown = path): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new SssError('symbolic links are not allowed', { code: 'io', file: shown });
    if (code === 'ENOENT') throw new SssError('no such file', { code: 'io', file: shown });
    throw new SssError(`cannot read the file (${code ?? 'error'})`, { code: 'io', file: shown });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new SssError('not a regular file', { code: 'io', file: shown });
    if (st.size > MAX_ARTIFACT_BYTES)
      throw new SssError(`file is larger than ${MAX_ARTIFACT_BYTES} bytes`, { code: 'io', file: shown });
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** An artifact file, read as readArtifactText reads it and parsed as JSON. */
export function readArtifactFile(path: string, shown = path): RawFile {
  return { file: shown, value: parseJson(readArtifactText(path, shown), shown) };
}

function readArtifact(path: string, shown: string): unknown {
  return readArtifactFile(path, shown).value;
}

/** A ceremony put together from files already read: the one way to build CeremonyFiles by hand. */
export function ceremonyOf(
  id: string,
  dir: string,
  parts: {
    manifest?: RawFile;
    byRole?: [string, Map<string, RawFile>][];
    singles?: [string, RawFile][];
    errors?: SssError[];
  },
): CeremonyFiles {
  return {
    id,
    dir,
    manifest: parts.manifest,
    byRole: new Map(parts.byRole ?? []),
    singles: new Map(parts.singles ?? []),
    errors: parts.errors ?? [],
  };
}

/**
 * Reads every file of one ceremony directory. `root` makes the reported paths relative. `roles`,
 * when given, limits the per-moniker folders read to those (a step that takes a round's files from
 * its command line does not parse the directory's copy of them too).
 */
export function readCeremony(dir: string, root = process.cwd(), roles?: string[]): CeremonyFiles {
  const id = dir.split(/[\\/]/).filter(Boolean).pop() ?? '';
  const out: CeremonyFiles = { id, dir, byRole: new Map(), singles: new Map(), errors: [] };
  const shown = (p: string) => relative(root, p) || p;
  if (!existsSync(dir)) {
    out.errors.push(new SssError('no such ceremony directory', { code: 'io', file: shown(dir) }));
    return out;
  }
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const st = lstatSync(path);
    if (LAYOUT.folders.includes(name) && st.isDirectory()) {
      if (roles && !roles.includes(name)) continue;
      const files = new Map<string, RawFile>();
      for (const f of readdirSync(path).sort()) {
        const fp = join(path, f);
        const m = /^(.+)\.json$/.exec(f);
        if (!m || !MONIKER.test(m[1])) {
          out.errors.push(new SssError('not part of the ceremony layout', { code: 'not-allowed', file: shown(fp) }));
          continue;
        }
        try {
          files.set(m[1], { file: shown(fp), value: readArtifact(fp, shown(fp)) });
        } catch (e) {
          out.errors.push(e as SssError);
        }
      }
      out.byRole.set(name, files);
    } else if (LAYOUT.singles.includes(name) && !st.isDirectory()) {
      try {
        const raw = { file: shown(path), value: readArtifact(path, shown(path)) };
        if (name === 'ceremony.json') out.manifest = raw;
        else out.singles.set(name.replace(/\.json$/, ''), raw);
      } catch (e) {
        out.errors.push(e as SssError);
      }
    } else {
      out.errors.push(new SssError('not part of the ceremony layout', { code: 'not-allowed', file: shown(path) }));
    }
  }
  return out;
}

/** Ceremony ids under a ceremonies directory, sorted. */
export function listCeremonies(ceremoniesDir: string): string[] {
  if (!existsSync(ceremoniesDir)) return [];
  return readdirSync(ceremoniesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && CEREMONY_ID.test(d.name))
    .map((d) => d.name)
    .sort();
}

/**
 * A ceremony as a step's command sees it: the files named on the command line as role `role`
 * (keyed by the moniker in their names), the `keep` roles from the ceremony directory, and of
 * the directory's problems only an unreadable ceremony.json (later rounds do not block this step).
 * Files in ceremonies/<id>/<round>/ belong to <id>; files elsewhere name their ceremony.
 */
export function ceremonyWithFiles(
  paths: string[],
  role: string,
  keep: string[],
  where: { root: string; ceremoniesDir: string },
): { files: CeremonyFiles; ceremony: string } {
  const shownOf = (p: string) =>
    relative(where.root, p) && !relative(where.root, p).startsWith('..') ? relative(where.root, p) : p;
  const nearby = resolve(paths[0], '..', '..');
  const fromDir =
    CEREMONY_ID.test(basename(nearby)) && existsSync(join(nearby, 'ceremony.json')) ? basename(nearby) : undefined;
  let ceremony = fromDir;
  const named = new Map<string, RawFile>();
  for (const p of paths) {
    const raw = readArtifactFile(p, shownOf(p));
    const c = (raw.value as { ceremony?: unknown })?.ceremony;
    if (typeof c !== 'string' || !CEREMONY_ID.test(c))
      throw new SssError('missing or invalid ceremony id', { code: 'malformed', file: raw.file, field: 'ceremony' });
    if (!fromDir) {
      if (ceremony && c !== ceremony)
        throw new SssError(`artifact belongs to ceremony ${c}, the others to ${ceremony}`, {
          code: 'mismatch',
          file: raw.file,
          field: 'ceremony',
        });
      ceremony = c;
    }
    named.set(basename(p).replace(/\.json$/, ''), raw);
  }
  const dir = fromDir ? nearby : join(where.ceremoniesDir, ceremony!);
  const tree = readCeremony(dir, where.root, keep);
  const manifestPath = join(dir, 'ceremony.json');
  const files = ceremonyOf(tree.id, tree.dir, {
    manifest: tree.manifest,
    byRole: [...keep.map((r): [string, Map<string, RawFile>] => [r, tree.byRole.get(r) ?? new Map()]), [role, named]],
    singles: [...tree.singles],
    errors: tree.errors.filter((e) => e.file !== undefined && resolve(where.root, e.file) === manifestPath),
  });
  return { files, ceremony: ceremony! };
}
