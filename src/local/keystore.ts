/**
 * Private files at rest: age (passphrase, scrypt) encrypted JSON, mode 0600, atomic writes.
 * Every file opens with the `age` CLI (`age -d`) and the passphrase.
 */
import { existsSync, readFileSync, copyFileSync, chmodSync, constants } from 'node:fs';
import { Decrypter, Encrypter } from 'age-encryption';
import type { z } from 'zod';
import { parseWith } from '../artifacts/schemas.js';
import { SssError } from '../errors.js';
import { PRIVATE_MODE, replaceFile, writeNewFile } from './fsutil.js';

/**
 * age's default scrypt work factor is 2^18 (~1 s per file). Tests lower it through this one
 * variable; nothing else changes it.
 */
export const SCRYPT_ENV = 'SSS_TOOL_SCRYPT_LOG_N';

function workFactor(): number | undefined {
  const v = process.env[SCRYPT_ENV];
  if (!v) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 22)
    throw new SssError(`${SCRYPT_ENV} must be an integer from 1 to 22`, { code: 'malformed' });
  return n;
}

export async function encryptJson(value: unknown, passphrase: string): Promise<Uint8Array> {
  const e = new Encrypter();
  e.setPassphrase(passphrase);
  const wf = workFactor();
  if (wf !== undefined) e.setScryptWorkFactor(wf);
  return e.encrypt(JSON.stringify(value));
}

export async function decryptJson<T = unknown>(data: Uint8Array, passphrase: string, file: string): Promise<T> {
  const d = new Decrypter();
  d.addPassphrase(passphrase);
  let text: string;
  try {
    text = await d.decrypt(data, 'text');
  } catch {
    throw new SssError('cannot decrypt: wrong passphrase or damaged file', { code: 'private', file });
  }
  return JSON.parse(text) as T;
}

/** Writes a new private file; refuses to replace an existing one. */
export async function writePrivateNew(path: string, value: unknown, passphrase: string): Promise<void> {
  if (existsSync(path))
    throw new SssError('refusing to overwrite an existing private file', { code: 'private', file: path });
  writeNewFile(path, await encryptJson(value, passphrase), PRIVATE_MODE);
}

/** Replaces a private file, keeping the old one beside it as `<file>.bak-<time>` (mode 0600). */
export async function writePrivateReplacingWithBackup(
  path: string,
  value: unknown,
  passphrase: string,
): Promise<string | undefined> {
  let backup: string | undefined;
  if (existsSync(path)) {
    backup = `${path}.bak-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    // COPYFILE_EXCL: a backup is never itself overwritten.
    copyFileSync(path, backup, constants.COPYFILE_EXCL);
    chmodSync(backup, PRIVATE_MODE);
  }
  replaceFile(path, await encryptJson(value, passphrase), PRIVATE_MODE);
  return backup;
}

/** Replaces round state (not a share: shares go through writePrivateNew). */
export async function writePrivateState(path: string, value: unknown, passphrase: string): Promise<void> {
  replaceFile(path, await encryptJson(value, passphrase), PRIVATE_MODE);
}

/** A private file, decrypted and checked against its schema (src/local/state.ts). */
export async function readPrivateWith<T>(schema: z.ZodType<T>, path: string, passphrase: string): Promise<T> {
  return parseWith(schema, await readPrivate(path, passphrase), path);
}

export async function readPrivate<T = unknown>(path: string, passphrase: string): Promise<T> {
  if (!existsSync(path)) throw new SssError('no such file', { code: 'io', file: path });
  return decryptJson<T>(readFileSync(path), passphrase, path);
}
