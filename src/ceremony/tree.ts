/**
 * Reading a ceremony's files from disk. The layout is fixed (docs/protocol.md §5); anything else
 * under a ceremony directory is reported, never silently ignored.
 */
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
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
  folders: ['round1', 'round2', 'finalize', 'approvals'],
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

function readArtifact(path: string, shown: string): unknown {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) throw new SssError('symbolic links are not allowed', { code: 'io', file: shown });
  if (!st.isFile()) throw new SssError('not a regular file', { code: 'io', file: shown });
  if (st.size > MAX_ARTIFACT_BYTES)
    throw new SssError(`file is larger than ${MAX_ARTIFACT_BYTES} bytes`, { code: 'io', file: shown });
  return parseJson(readFileSync(path, 'utf8'), shown);
}

/** Reads every file of one ceremony directory. `root` makes the reported paths relative. */
export function readCeremony(dir: string, root = process.cwd()): CeremonyFiles {
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
