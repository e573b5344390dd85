/**
 * Canonical JSON (RFC 8785, via `canonicalize`), artifact signatures and digests.
 * An artifact's signature is Ed25519 by its author's signing key over
 * "sss-tool/v1 artifact\n" || JCS(artifact without "signature").
 */
import canonicalizeImport from 'canonicalize';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { bytesToHex, hexToBytes } from '../crypto/suite.js';
import { SssError } from '../errors.js';

const canonicalize = canonicalizeImport as unknown as (v: unknown) => string | undefined;

const SIGNING_LABEL = utf8ToBytes('sss-tool/v1 artifact\n');

/** RFC 8785 canonical JSON text of a value. */
export function jcs(value: unknown): string {
  const s = canonicalize(value);
  if (s === undefined) throw new SssError('value cannot be canonicalized');
  return s;
}

/** The exact bytes an artifact signature covers. */
export function signingInput(artifact: Record<string, unknown>): Uint8Array {
  const { signature: _omit, ...rest } = artifact;
  return concatBytes(SIGNING_LABEL, utf8ToBytes(jcs(rest)));
}

/** Signs an unsigned artifact with a 32-byte Ed25519 secret key; returns it with `signature`. */
export function signArtifact<T extends Record<string, unknown>>(unsigned: T, secretKey: Uint8Array): T & { signature: string } {
  const signature = bytesToHex(ed25519.sign(signingInput(unsigned), secretKey));
  return { ...unsigned, signature };
}

/** True when the artifact's signature verifies under the hex Ed25519 public key. */
export function verifyArtifactSignature(artifact: Record<string, unknown>, signingKeyHex: string): boolean {
  const sig = artifact.signature;
  if (typeof sig !== 'string' || !/^[0-9a-f]{128}$/.test(sig)) return false;
  try {
    return ed25519.verify(hexToBytes(sig), signingInput(artifact), hexToBytes(signingKeyHex), { zip215: false });
  } catch {
    return false;
  }
}

/** SHA-256 of the canonical JSON of a value, hex. */
export function digest(value: unknown): string {
  return bytesToHex(sha256(utf8ToBytes(jcs(value))));
}

/** Pretty JSON as written to disk (the signature is over the canonical form, not these bytes). */
export function toFileText(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}
