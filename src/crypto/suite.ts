/**
 * The ciphersuite, FROST(Ed25519, SHA-512) of RFC 9591, and the encodings every artifact uses:
 * lowercase hex for bytes, 32-byte little-endian scalars, 32-byte compressed Edwards points.
 * Decoding validates at the boundary; everything past it trusts the decoded values.
 */
import { ED25519_TORSION_SUBGROUP, ed25519, ed25519_FROST } from '@noble/curves/ed25519.js';
import { bytesToHex, equalBytes, hexToBytes } from '@noble/curves/utils.js';
import { SssError } from '../errors.js';

export const frost = ed25519_FROST;
export const Point = ed25519.Point;
export type Point = InstanceType<typeof ed25519.Point>;
export const Fn = Point.Fn;
export const ORDER = Fn.ORDER;
export const CIPHERSUITE = 'FROST-ED25519-SHA512-v1';

export { bytesToHex, hexToBytes };

const HEX = /^(?:[0-9a-f]{2})*$/;

/** Lowercase hex of an exact byte length to bytes; throws SssError naming the field. */
export function decodeHex(hex: unknown, bytes: number | undefined, field: string): Uint8Array {
  if (typeof hex !== 'string' || !HEX.test(hex))
    throw new SssError('expected lowercase hex', { code: 'malformed', field });
  if (bytes !== undefined && hex.length !== bytes * 2)
    throw new SssError(`expected ${bytes} bytes of hex, got ${hex.length / 2}`, { code: 'malformed', field });
  return hexToBytes(hex);
}

/** A canonical scalar (< group order), little-endian 32 bytes, from hex. */
export function decodeScalar(hex: unknown, field: string): bigint {
  const b = decodeHex(hex, 32, field);
  let n = 0n;
  for (let i = 31; i >= 0; i--) n = (n << 8n) | BigInt(b[i]);
  if (n >= ORDER) throw new SssError('non-canonical scalar (not below the group order)', { code: 'malformed', field });
  return n;
}

export function encodeScalar(n: bigint): string {
  return bytesToHex(Fn.toBytes(Fn.create(n)));
}

/** A non-zero scalar that is also a valid FROST identifier. */
export function decodeIdentifier(hex: unknown, field: string): bigint {
  const n = decodeScalar(hex, field);
  if (n === 0n) throw new SssError('identifier is zero', { code: 'malformed', field });
  return n;
}

const pointCache = new Map<string, Point>();

/**
 * The points of small order are the 8 points of E[8], which noble lists by their (canonical)
 * encodings: for a canonically encoded point, "8·P is the identity" is "its encoding is one of
 * these", a set lookup instead of three doublings on every decoded point (test/suite.test.ts
 * refuses all 8, computed independently, and accepts points with a torsion component).
 */
const SMALL_ORDER = new Set<string>(ED25519_TORSION_SUBGROUP);

/**
 * A public point from hex: canonical encoding, on the curve, not the identity, not of small order.
 * Decoding is the dominant cost of large ceremonies, so each encoding is decoded once per process.
 * The (much dearer) prime-order-subgroup check is `assertPrimeOrder`, applied to what the group
 * keeps: see docs/design.md, "Point validation".
 */
export function decodePoint(hex: unknown, field: string): Point {
  if (typeof hex === 'string') {
    const hit = pointCache.get(hex);
    if (hit) return hit;
  }
  const b = decodeHex(hex, 32, field);
  let p: Point;
  try {
    p = Point.fromBytes(b, false);
  } catch {
    throw new SssError('not a valid Ed25519 point encoding', { code: 'malformed', field });
  }
  if (!equalBytes(p.toBytes(), b)) throw new SssError('non-canonical point encoding', { code: 'malformed', field });
  if (p.is0()) throw new SssError('point is the identity', { code: 'malformed', field });
  if (SMALL_ORDER.has(hex as string)) throw new SssError('point of small order', { code: 'malformed', field });
  if (pointCache.size > 2_000_000) pointCache.clear();
  pointCache.set(hex as string, p);
  return p;
}

/** True when this encoding was already decoded (and validated) in this process. */
export function isPointCached(hex: string): boolean {
  return pointCache.has(hex);
}

/**
 * Caches a point that decodePoint decoded and validated in a decode worker of this process, from
 * its affine coordinates (the worker's own result, through shared memory). Its checks are not
 * repeated here: doing every check on both threads was most of what parallel decoding cost in CPU.
 */
export function cacheDecodedPoint(hex: string, x: bigint, y: bigint): void {
  pointCache.set(hex, Point.fromAffine({ x, y }));
}

/** Forgets decoded points (benchmarks use it to measure a cold process). */
export function clearPointCache(): void {
  pointCache.clear();
}

/** Points already found torsion-free in this process (by this thread or a decode worker). */
const primeOrderPoints = new WeakSet<Point>();

/** True when p lies in the prime-order subgroup (L·p is the identity); ~650 µs, remembered. */
export function isPrimeOrder(p: Point): boolean {
  if (primeOrderPoints.has(p)) return true;
  if (!p.isTorsionFree()) return false;
  primeOrderPoints.add(p);
  return true;
}

/** Records that a decode worker found the cached point `hex` torsion-free. */
export function markPrimeOrder(hex: string): void {
  const p = pointCache.get(hex);
  if (p) primeOrderPoints.add(p);
}

/** Throws unless p lies in the prime-order subgroup (no torsion component). */
export function assertPrimeOrder(p: Point, field: string): Point {
  if (!isPrimeOrder(p)) throw new SssError('point is not in the prime-order subgroup', { code: 'malformed', field });
  return p;
}

export function encodePoint(p: Point): string {
  return bytesToHex(p.toBytes());
}

/** The FROST identifier a moniker derives (Identifier.derive): fixed for life, no coordination. */
export function identifierFor(moniker: string): string {
  return frost.Identifier.derive(moniker);
}

export function identifierToScalar(id: string): bigint {
  return decodeIdentifier(id, 'identifier');
}

/** Compares identifiers as scalars (the order RFC 9591 sorts commitment lists by). */
export function compareIdentifiers(a: string, b: string): number {
  const x = identifierToScalar(a);
  const y = identifierToScalar(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export const MONIKER = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const CEREMONY_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;
