/**
 * Canonical JSON (RFC 8785, via `canonicalize`), artifact signatures and digests.
 * An artifact's signature is Ed25519 by its author's signing key over
 * "sss-tool/v1 artifact\n" || JCS(artifact without "signature").
 */
import { KeyObject, createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import canonicalizeImport from 'canonicalize';
import { ed25519 } from '@noble/curves/ed25519.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { ORDER, bytesToHex, decodePoint, hexToBytes } from '../crypto/suite.js';
import { SssError } from '../errors.js';

const canonicalize = canonicalizeImport as unknown as (v: unknown) => string | undefined;

const SIGNING_LABEL = utf8ToBytes('sss-tool/v1 artifact\n');

/** Keys JavaScript enumerates before all others, in numeric order, whatever order they were added in. */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;

/** Thrown inside sortedCopy when a value needs canonicalize's own handling. */
const NOT_PLAIN = Symbol('not plain JSON data');

/**
 * A copy of plain JSON data whose object keys are in code-unit order, or NOT_PLAIN thrown for
 * anything else: a string with a lone surrogate, a non-finite number, a key that is an array
 * index (enumerated first whatever the order of insertion) or __proto__ (which an assignment
 * would not add), a value that is not JSON data. Undefined members are dropped, as JCS drops them.
 */
function sortedCopy(value: unknown): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    if (!(value as string & { isWellFormed(): boolean }).isWellFormed()) throw NOT_PLAIN;
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw NOT_PLAIN;
    return value;
  }
  if (Array.isArray(value)) {
    // Not map, which skips holes: a hole reads as undefined here and goes to canonicalize.
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = sortedCopy(value[i]);
    return out;
  }
  const proto = typeof value === 'object' ? (Object.getPrototypeOf(value) as unknown) : undefined;
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value as object).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined) continue;
    if (ARRAY_INDEX.test(key) || key === '__proto__') throw NOT_PLAIN;
    out[sortedCopy(key) as string] = sortedCopy(member);
  }
  return out;
}

/**
 * RFC 8785 canonical JSON text of a value. JCS writes strings and numbers exactly as ECMAScript's
 * JSON.stringify does (§3.2.2) and objects with their members sorted, so for plain JSON data
 * JSON.stringify of a key-sorted copy is the JCS text, about 3x faster than canonicalize on a large
 * round-2 artifact (docs/benchmarks.md). Anything else is canonicalize's to write or refuse;
 * test/canonical-once.test.ts compares the two paths on random values.
 */
export function jcs(value: unknown): string {
  let s: string | undefined;
  try {
    s = JSON.stringify(sortedCopy(value));
  } catch {
    // NOT_PLAIN, or a value nested too deep for this path's recursion: canonicalize decides.
    s = canonicalize(value);
  }
  if (s === undefined) throw new SssError('value cannot be canonicalized', { code: 'malformed' });
  return s;
}

/** The exact bytes an artifact signature covers. */
export function signingInput(artifact: Record<string, unknown>): Uint8Array {
  const { signature: _omit, ...rest } = artifact;
  return concatBytes(SIGNING_LABEL, utf8ToBytes(jcs(rest)));
}

/** An artifact canonicalized once: its JCS text (what digests cover) and its signing input. */
export interface CanonicalArtifact {
  text: string;
  signingInput: Uint8Array;
}

/**
 * Both canonical forms of a plain artifact object from one canonicalization of each member: JCS
 * writes an object as its members `key:value`, sorted by key, joined by commas, in braces
 * (RFC 8785 §3.2.3; canonicalize's own object case), so the text without the signature is the
 * same members less one. Equal to jcs(artifact) and signingInput(artifact) (tests compare them).
 */
export function canonicalArtifact(artifact: Record<string, unknown>): CanonicalArtifact {
  const members: string[] = [];
  const unsigned: string[] = [];
  for (const key of Object.keys(artifact).sort()) {
    const value = artifact[key];
    if (value === undefined || typeof value === 'symbol') continue;
    const member = `${jcs(key)}:${jcs(value)}`;
    members.push(member);
    if (key !== 'signature') unsigned.push(member);
  }
  return {
    text: `{${members.join(',')}}`,
    signingInput: concatBytes(SIGNING_LABEL, utf8ToBytes(`{${unsigned.join(',')}}`)),
  };
}

/** SHA-256 of the JCS of a list of artifacts each already canonicalized: digest(artifacts). */
export function digestOfCanonical(texts: string[]): string {
  const h = createHash('sha256').update('[', 'utf8');
  texts.forEach((t, i) => h.update(i ? ',' + t : t, 'utf8'));
  return h.update(']', 'utf8').digest('hex');
}

/** Signs an unsigned artifact with a 32-byte Ed25519 secret key; returns it with `signature`. */
export function signArtifact<T extends Record<string, unknown>>(
  unsigned: T,
  secretKey: Uint8Array,
): T & { signature: string } {
  const signature = bytesToHex(ed25519.sign(signingInput(unsigned), secretKey));
  return { ...unsigned, signature };
}

const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const nodeKeys = new Map<string, KeyObject | null>();

/**
 * OpenSSL's Ed25519 verification (node:crypto, ~15× faster than noble's) as a fast path that never
 * accepts what noble would reject: OpenSSL accepts only when R is the canonical encoding of
 * [S]B − [k]A (which satisfies noble's cofactored equation too) and S < L (checked here as well),
 * and the key must pass noble's own key checks first (canonical, not of small order; cached).
 */
function opensslAccepts(sig: Uint8Array, message: Uint8Array, keyHex: string): boolean {
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]);
  if (s >= ORDER) return false;
  let key = nodeKeys.get(keyHex);
  if (key === undefined) {
    key = null;
    try {
      // decodePoint: noble's strict decoding, not the identity nor of small order (and cached).
      decodePoint(keyHex, 'signingKey');
      key = createPublicKey({ key: Buffer.concat([ED25519_SPKI, hexToBytes(keyHex)]), format: 'der', type: 'spki' });
    } catch {
      // not a valid key: the slow path rejects it
    }
    if (nodeKeys.size > 100_000) nodeKeys.clear();
    nodeKeys.set(keyHex, key);
  }
  if (!key) return false;
  try {
    return nodeVerify(null, message, key, sig);
  } catch {
    return false;
  }
}

/**
 * True when the artifact's signature verifies under the hex Ed25519 public key: noble's
 * `ed25519.verify` with `zip215: false` decides; OpenSSL answers first for the (usual) valid case.
 */
export function verifyArtifactSignature(
  artifact: Record<string, unknown>,
  signingKeyHex: string,
  /** The artifact's signing input, when the caller has canonicalized it already. */
  input?: Uint8Array,
): boolean {
  const sig = artifact.signature;
  if (typeof sig !== 'string' || !/^[0-9a-f]{128}$/.test(sig)) return false;
  try {
    const sigBytes = hexToBytes(sig);
    const message = input ?? signingInput(artifact);
    if (/^[0-9a-f]{64}$/.test(signingKeyHex) && opensslAccepts(sigBytes, message, signingKeyHex)) return true;
    return ed25519.verify(sigBytes, message, hexToBytes(signingKeyHex), { zip215: false });
  } catch {
    return false;
  }
}

/** SHA-256 of the canonical JSON of a value, hex. */
export function digest(value: unknown): string {
  return createHash('sha256').update(jcs(value), 'utf8').digest('hex');
}

/** Pretty JSON as written to disk (the signature is over the canonical form, not these bytes). */
export function toFileText(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}
