/**
 * Which server nonces may still sign. `get-nonce` issues a nonce and records its id; `sign` consumes
 * the id before it computes a share, and refuses a nonce whose id is not there. So a nonce signs at
 * most once even when trust-server (or anyone who can spawn the tool) hands the same `nonce_priv`
 * to two `sign` calls, and a nonce that was never issued here cannot sign at all.
 *
 * The record is a list of issued nonces, not of used ones: it stays bounded (the oldest issued
 * nonces beyond `limit` are dropped, which only makes them unusable) where a used-list would grow
 * with every signature. The ids are SHA-256 of the public commitment: nothing secret.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

export interface NonceBook {
  /** Records a freshly issued nonce (by its public commitment). */
  issue(noncePub: Uint8Array): void;
  /** Removes an issued nonce; false when it was never issued, already consumed or dropped. */
  consume(noncePub: Uint8Array): boolean;
}

/** trust-server keeps at most 21 private nonces; this leaves room for several such servers' worth. */
export const DEFAULT_PENDING_LIMIT = 256;

export function nonceId(noncePub: Uint8Array): string {
  return bytesToHex(sha256(noncePub)).slice(0, 32);
}

/** In one process (the library's server signer). */
export class MemoryNonceBook implements NonceBook {
  readonly #pending = new Set<string>();
  constructor(readonly limit = DEFAULT_PENDING_LIMIT) {}

  issue(noncePub: Uint8Array): void {
    this.#pending.add(nonceId(noncePub));
    // Sets iterate in insertion order: the first is the oldest.
    while (this.#pending.size > this.limit) this.#pending.delete(this.#pending.values().next().value as string);
  }

  consume(noncePub: Uint8Array): boolean {
    return this.#pending.delete(nonceId(noncePub));
  }
}

/**
 * In a directory, one file per issued nonce (holding its issue time), for spawned commands. No lock is needed:
 * creating a file with a fresh random id cannot collide, and unlink is atomic, so of two
 * concurrent `sign` calls with the same nonce exactly one removes the file and signs.
 */
export class DirectoryNonceBook implements NonceBook {
  constructor(
    readonly dir: string,
    readonly limit = DEFAULT_PENDING_LIMIT,
  ) {}

  issue(noncePub: Uint8Array): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const id = nonceId(noncePub);
    // The issue time, finer than file mtimes (which the kernel may round to a few ms): pruning
    // drops the oldest first.
    writeFileSync(join(this.dir, id), `${(performance.timeOrigin + performance.now()).toFixed(3)}\n`, {
      flag: 'wx',
      mode: 0o600,
    });
    this.#prune(id);
  }

  consume(noncePub: Uint8Array): boolean {
    try {
      unlinkSync(join(this.dir, nonceId(noncePub)));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  }

  /** Drops the oldest issued nonces beyond the limit, never `keep` (a concurrent prune may remove them first). */
  #prune(keep: string): void {
    const names = readdirSync(this.dir).filter((n) => /^[0-9a-f]{32}$/.test(n));
    if (names.length <= this.limit) return;
    const aged = names
      .filter((n) => n !== keep)
      .map((n) => ({ n, t: issuedAt(join(this.dir, n)) }))
      .sort((a, b) => a.t - b.t || (a.n < b.n ? -1 : 1));
    for (const { n } of aged.slice(0, names.length - this.limit)) {
      try {
        unlinkSync(join(this.dir, n));
      } catch {
        // Already consumed or pruned by a concurrent call.
      }
    }
  }
}

/** When a nonce was issued: the time in its file, else (unreadable: being removed) its mtime. */
function issuedAt(path: string): number {
  try {
    const t = Number(readFileSync(path, 'utf8'));
    return Number.isFinite(t) && t > 0 ? t : statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
