/**
 * Threshold signing, FROST(Ed25519, SHA-512) of RFC 9591: nonce commitments (round 1), signature
 * shares (round 2), share verification and aggregation. The protocol is @noble/curves' FROST; this
 * module feeds it the group's public package and keeps the costly point checks to once per point.
 *
 * Why not `ed25519_FROST` itself: it subgroup-checks every point it parses, twice (~1.2 ms per
 * point), and it parses the whole commitment list again in every signShare, verifyShare and
 * aggregate. A 3-of-5 signature then costs ~40 ms in one process. `suite` below is the same
 * ciphersuite built with noble's `createFROST` and the options `ed25519_FROST` uses; only point
 * decoding differs: a decoded, validated encoding is remembered, so each point is checked once per
 * process (test/sign.suite.test.ts checks it signs byte-identically to `ed25519_FROST`).
 *
 * Pure: no fs, no clock. Secrets (signing share, nonces) come in as bytes and never leave except as
 * the signature share.
 */
import { createFROST, type FrostPublic, type Nonces, type RNG } from '@noble/curves/abstract/frost.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { SssError } from '../errors.js';
import { evaluateCommitment } from './msm.js';
import { CIPHERSUITE, Point, bytesToHex, decodeIdentifier, decodePoint, hexToBytes } from './suite.js';

const BasePoint = ed25519.Point;
/** Points known to lie in the prime-order subgroup (checked, or computed as k·G here). */
const primeOrder = new WeakSet<object>();
/** Decoded points by encoding; bounded so hostile input cannot grow it without limit. */
const decoded = new Map<string, InstanceType<typeof BasePoint>>();
const DECODED_LIMIT = 100_000;

/** ed25519.Point whose decoding and subgroup check are remembered per encoding. */
class CheckedPoint extends BasePoint {
  static override fromBytes(bytes: Uint8Array, zip215 = false) {
    if (zip215) return BasePoint.fromBytes(bytes, zip215);
    const key = bytesToHex(bytes);
    const hit = decoded.get(key);
    if (hit) return hit;
    const p = BasePoint.fromBytes(bytes);
    const q = new CheckedPoint(p.X, p.Y, p.Z, p.T);
    if (decoded.size >= DECODED_LIMIT) decoded.clear();
    decoded.set(key, q);
    return q;
  }

  override isTorsionFree(): boolean {
    if (primeOrder.has(this)) return true;
    const ok = super.isTorsionFree();
    if (ok) primeOrder.add(this);
    return ok;
  }
}

/** FROST(Ed25519, SHA-512) with the options of noble's `ed25519_FROST`, over CheckedPoint. */
export const suite = createFROST({
  name: CIPHERSUITE,
  Point: CheckedPoint,
  validatePoint: (p) => {
    p.assertValidity();
    if (!p.isTorsionFree()) throw new Error('bad point: not torsion-free');
  },
  hash: sha512,
  // RFC 9591 leaves H2 undecorated for Ed25519, so that signatures are plain RFC 8032 ones.
  H2: '',
});

/**
 * A public point from hex, checked as RFC 9591 DeserializeElement requires: canonical, on the
 * curve, not the identity, in the prime-order subgroup. Throws SssError naming the field.
 */
export function checkElement(hex: unknown, field: string): string {
  decodePoint(hex, field);
  const p = CheckedPoint.fromBytes(hexToBytes(hex as string));
  if (!p.isTorsionFree()) throw new SssError('point is not in the prime-order subgroup', { code: 'malformed', field });
  return hex as string;
}

/** Forgets every remembered point check (benchmarks use it to measure a cold process). */
export function clearCheckedPoints(): void {
  decoded.clear();
}

/** Records that an encoding is k·G (so in the prime-order subgroup) without the costly check. */
function knownPrimeOrder(bytes: Uint8Array): void {
  primeOrder.add(CheckedPoint.fromBytes(bytes));
}

/** The part of a group's public package signing needs: hex points, C_0 is the group key. */
export interface GroupPublic {
  publicKey: string;
  threshold: number;
  /** The group commitment C_0..C_{M-1}. */
  commitment: readonly string[];
}

/** One signer's round-1 output as RFC 9591 lists it: identifier, hiding and binding commitments. */
export interface NonceCommitment {
  identifier: string;
  hiding: string;
  binding: string;
}

export type SigningNonces = Nonces;

const groups = new Map<string, SigningGroup>();

/**
 * A group as signing sees it. The share file lists no participants; any identifier x's verifying
 * share is Y(x) = Σ x^k·C_k, computed when first needed and remembered, so a share file keeps
 * working after the group gains members.
 */
export class SigningGroup {
  readonly publicKey: string;
  readonly threshold: number;
  readonly commitment: readonly string[];
  readonly #points: Point[];
  readonly #commitmentBytes: FrostPublic['commitments'];
  readonly #verifyingShares = new Map<string, Uint8Array>();

  private constructor(pub: GroupPublic) {
    if (!Number.isInteger(pub.threshold) || pub.threshold < 2)
      throw new SssError('the threshold must be an integer of at least 2', { code: 'malformed', field: 'threshold' });
    if (pub.commitment.length !== pub.threshold)
      throw new SssError('the group commitment must have one point per threshold', {
        code: 'malformed',
        field: 'commitment',
      });
    if (pub.commitment[0] !== pub.publicKey)
      throw new SssError('the group key is not the first commitment point', { code: 'mismatch', field: 'publicKey' });
    pub.commitment.forEach((c, k) => checkElement(c, `commitment.${k}`));
    this.publicKey = pub.publicKey;
    this.threshold = pub.threshold;
    this.commitment = Object.freeze([...pub.commitment]);
    this.#points = this.commitment.map((c, k) => decodePoint(c, `commitment.${k}`));
    this.#commitmentBytes = this.commitment.map(hexToBytes) as FrostPublic['commitments'];
  }

  /** The group for a public package; one instance per distinct package in the process. */
  static of(pub: GroupPublic): SigningGroup {
    checkGroupShape(pub);
    // Unambiguous: joined with ',' a single "C0,C1,C2" string made the key of the three points.
    const key = JSON.stringify([pub.threshold, pub.commitment, pub.publicKey]);
    let g = groups.get(key);
    if (!g) {
      g = new SigningGroup(pub);
      if (groups.size > 1000) groups.clear();
      groups.set(key, g);
    }
    return g;
  }

  /** Y(x) for an identifier (hex), encoded. */
  verifyingShare(identifier: string): Uint8Array {
    let y = this.#verifyingShares.get(identifier);
    if (!y) {
      const point = evaluateCommitment(this.#points, decodeIdentifier(identifier, 'identifier'));
      y = point.toBytes();
      knownPrimeOrder(y);
      this.#verifyingShares.set(identifier, y);
    }
    return y;
  }

  /** noble's public package for a signing set: verifying shares of those signers only. */
  frostPublic(identifiers: readonly string[]): FrostPublic {
    const verifyingShares: Record<string, Uint8Array> = {};
    for (const id of identifiers) verifyingShares[id] = this.verifyingShare(id);
    return {
      // A share file does not know N, and need not: noble bounds the list by `max`.
      signers: { min: this.threshold, max: Math.max(this.threshold, identifiers.length) },
      commitments: this.#commitmentBytes,
      verifyingShares: verifyingShares as FrostPublic['verifyingShares'],
    };
  }
}

/**
 * The shape of a group package given to the library (often parsed JSON): the instance cache is keyed
 * by a string made of these fields, so a non-string (an array stringifies as its items) must not
 * reach it and find a valid group under another value.
 */
function checkGroupShape(pub: unknown): asserts pub is GroupPublic {
  if (pub === null || typeof pub !== 'object')
    throw new SssError('the group must be an object {publicKey, threshold, commitment}', {
      code: 'malformed',
      field: 'group',
    });
  const { publicKey, threshold, commitment } = pub as Record<string, unknown>;
  if (typeof publicKey !== 'string')
    throw new SssError('the group key must be hex', { code: 'malformed', field: 'publicKey' });
  if (!Number.isInteger(threshold) || (threshold as number) < 2)
    throw new SssError('the threshold must be an integer of at least 2', { code: 'malformed', field: 'threshold' });
  if (!Array.isArray(commitment) || !commitment.every((c) => typeof c === 'string'))
    throw new SssError('the group commitment must be a list of hex points', { code: 'malformed', field: 'commitment' });
}

function toNoble(list: readonly NonceCommitment[]) {
  return list.map((c) => ({ identifier: c.identifier, hiding: hexToBytes(c.hiding), binding: hexToBytes(c.binding) }));
}

/**
 * Round 1 (RFC 9591 §5.1): fresh hiding and binding nonces for a signing share, and their public
 * commitments. `rng` exists for the RFC's test vectors; leave it out.
 */
export function commitNonces(
  identifier: string,
  signingShare: Uint8Array,
  rng?: RNG,
): { nonces: SigningNonces; commitment: NonceCommitment } {
  const { nonces, commitments } = rng
    ? suite.commit({ identifier, signingShare }, rng)
    : suite.commit({ identifier, signingShare });
  knownPrimeOrder(commitments.hiding);
  knownPrimeOrder(commitments.binding);
  return {
    nonces,
    commitment: { identifier, hiding: bytesToHex(commitments.hiding), binding: bytesToHex(commitments.binding) },
  };
}

/**
 * Round 2 (RFC 9591 §5.2): the signature share over `message` for a checked commitment list that
 * includes this signer's commitment. noble zeroes `nonces` on success, so they cannot sign twice.
 */
export function signShareWith(
  group: SigningGroup,
  identifier: string,
  signingShare: Uint8Array,
  nonces: SigningNonces,
  list: readonly NonceCommitment[],
  message: Uint8Array,
): Uint8Array {
  const ids = list.map((c) => c.identifier);
  return suite.signShare({ identifier, signingShare }, group.frostPublic(ids), nonces, toNoble(list), message);
}

/** RFC 9591 §5.4: does `share` verify for `identifier` under its verifying share Y(identifier)? */
export function verifyShareWith(
  group: SigningGroup,
  list: readonly NonceCommitment[],
  message: Uint8Array,
  identifier: string,
  share: Uint8Array,
): boolean {
  try {
    return suite.verifyShare(
      group.frostPublic(list.map((c) => c.identifier)),
      toNoble(list),
      message,
      identifier,
      share,
    );
  } catch {
    return false;
  }
}

export type AggregateResult = { ok: true; signature: Uint8Array } | { ok: false; invalid: string[] };

/**
 * RFC 9591 §5.3: sums the shares and checks the result is a valid signature under the group key.
 * Only when it is not are the shares checked one by one (§5.4), and the signers whose share fails
 * are returned: the aggregate signature is itself the sum of every share's equation, so checking
 * it first costs one verification instead of one per signer.
 */
export function aggregateShares(
  group: SigningGroup,
  list: readonly NonceCommitment[],
  message: Uint8Array,
  shares: Record<string, Uint8Array>,
): AggregateResult {
  const ids = list.map((c) => c.identifier);
  try {
    return { ok: true, signature: suite.aggregate(group.frostPublic(ids), toNoble(list), message, shares) };
  } catch (e) {
    const cheaters = (e as { cheaters?: unknown }).cheaters;
    if (Array.isArray(cheaters) && cheaters.length) return { ok: false, invalid: cheaters.map(String) };
    throw new SssError(`aggregation failed: ${(e as Error).message}`, { code: 'inconsistent' });
  }
}

/**
 * A standard Ed25519 signature check (RFC 8032, strict encodings): what node:crypto, jose and
 * libsodium accept. `publicKey` and `signature` are bytes.
 */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/**
 * Whether `signature` (64 bytes, or 128 hex characters) is a valid Ed25519 signature of `message`
 * under `publicKey` (32 bytes, or 64 hex characters). Malformed input is simply invalid.
 */
export function verifySignature(
  publicKey: Uint8Array | string,
  message: Uint8Array,
  signature: Uint8Array | string,
): boolean {
  const bytes = (v: Uint8Array | string, n: number) =>
    typeof v === 'string'
      ? new RegExp(`^[0-9a-fA-F]{${2 * n}}$`).test(v)
        ? hexToBytes(v.toLowerCase())
        : undefined
      : v;
  const pk = bytes(publicKey, 32);
  const sig = bytes(signature, 64);
  if (!pk || !sig || !(message instanceof Uint8Array)) return false;
  return verifyEd25519(pk, message, sig);
}
