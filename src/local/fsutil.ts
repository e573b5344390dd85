/**
 * File writes that cannot leave a half-written file or silently replace one: write a temp file
 * beside the target, fsync, then link (refuses an existing target) or rename (replaces).
 */
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
  existsSync,
} from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SssError } from '../errors.js';

export const PRIVATE_MODE = 0o600;
export const PUBLIC_MODE = 0o644;

function writeTemp(path: string, data: Uint8Array | string, mode: number): string {
  mkdirSync(dirname(path), { recursive: true, mode: mode === PRIVATE_MODE ? 0o700 : 0o755 });
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return tmp;
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}

/** Writes a new file atomically; throws if the path already exists. */
export function writeNewFile(path: string, data: Uint8Array | string, mode = PUBLIC_MODE): void {
  const tmp = writeTemp(path, data, mode);
  try {
    linkSync(tmp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw new SssError('refusing to overwrite an existing file', { code: 'io', file: path });
    throw e;
  } finally {
    unlinkSync(tmp);
  }
  fsyncDir(dirname(path));
}

/** Writes a file atomically, replacing any previous content. */
export function replaceFile(path: string, data: Uint8Array | string, mode = PUBLIC_MODE): void {
  const tmp = writeTemp(path, data, mode);
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}

/**
 * Writes a public artifact: a new file, or nothing when the same bytes are already there
 * (re-running a step is idempotent); different existing content is refused.
 */
export function writeArtifactFile(path: string, text: string): 'written' | 'unchanged' {
  if (existsSync(path)) {
    if (readFileSync(path, 'utf8') === text) return 'unchanged';
    throw new SssError('a different artifact is already there; refusing to replace it', { code: 'io', file: path });
  }
  writeNewFile(path, text, PUBLIC_MODE);
  return 'written';
}
