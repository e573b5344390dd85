/**
 * The encodings every artifact goes through (docs/protocol.md §1): points are on the curve,
 * canonical, not the identity and not of small order; scalars are below the group order.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ED25519_TORSION_SUBGROUP } from '@noble/curves/ed25519.js';
import {
  ORDER,
  Point,
  Fn,
  assertPrimeOrder,
  bytesToHex,
  decodeHex,
  decodePoint,
  decodeScalar,
  encodePoint,
  encodeScalar,
} from '../src/crypto/suite.js';
import { SssError } from '../src/errors.js';

const P = 2n ** 255n - 19n;

/** 32 little-endian bytes of n, as lowercase hex (n < 2^256). */
function le32(n: bigint): string {
  const b = new Uint8Array(32);
  for (let i = 0; i < 32; i++, n >>= 8n) b[i] = Number(n & 0xffn);
  return bytesToHex(b);
}

/** The field element y of an encoding (sign bit cleared). */
function yOf(hex: string): bigint {
  const b = Buffer.from(hex, 'hex');
  b[31] &= 0x7f;
  let n = 0n;
  for (let i = 31; i >= 0; i--) n = (n << 8n) | BigInt(b[i]);
  return n;
}

/** A valid point of the prime-order subgroup, made from a random scalar. */
const randomPoint = () =>
  Point.BASE.multiply(Fn.create(BigInt('0x' + bytesToHex(crypto.getRandomValues(new Uint8Array(32))))) || 1n);

/** The 8 torsion points, generated here from one point of order 8 rather than taken on faith. */
function torsionPoints(): Point[] {
  const T = Point.fromHex(ED25519_TORSION_SUBGROUP[3]);
  const pts: Point[] = [Point.ZERO];
  for (let k = 1; k < 8; k++) pts.push(pts[k - 1].add(T));
  expect(pts[7].add(T).is0()).toBe(true);
  expect(new Set(pts.map((p) => encodePoint(p))).size).toBe(8);
  return pts;
}

function rejects(f: () => unknown, field: string, reason?: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a rejection').toBeInstanceOf(SssError);
  expect((err as SssError).field).toBe(field);
  if (reason) expect((err as SssError).reason).toMatch(reason);
}

describe('decodePoint', () => {
  it('accepts a valid point and round-trips its encoding', () => {
    const p = randomPoint();
    const hex = encodePoint(p);
    expect(decodePoint(hex, 'C').equals(p)).toBe(true);
  });

  it('rejects an encoding that is not on the curve', () => {
    // Smallest y whose x² = (y²−1)/(d·y²+1) has no square root: found by the decoder itself.
    let y = 2n;
    for (; ; y++) {
      try {
        Point.fromHex(le32(y));
      } catch {
        break;
      }
    }
    rejects(() => decodePoint(le32(y), 'commitment.0'), 'commitment.0', /not a valid/);
  });

  it('rejects non-canonical encodings: y >= p, and x = 0 with the sign bit set', () => {
    // p+1 encodes y = 1 (the identity) non-canonically.
    rejects(() => decodePoint(le32(P + 1n), 'C'), 'C', /not a valid|non-canonical/);
    // Every y in [p, 2^255): the 19 field elements that have a second, non-canonical encoding.
    for (let y = 0n; y < 19n; y++) rejects(() => decodePoint(le32(y + P), 'C'), 'C', /not a valid|non-canonical/);
    // y = 1 with the sign bit: "negative zero" x.
    rejects(() => decodePoint(le32(1n | (1n << 255n)), 'C'), 'C');
    // A valid prime-order point's y pushed over p (when it fits under 2^255) is refused too.
    const p = randomPoint();
    const y = yOf(encodePoint(p));
    if (y + P < 2n ** 255n) rejects(() => decodePoint(le32(y + P), 'C'), 'C');
  });

  it('rejects the identity', () => {
    rejects(() => decodePoint(encodePoint(Point.ZERO), 'C'), 'C', /identity/);
  });

  it('rejects all 8 points of small order', () => {
    for (const T of torsionPoints()) rejects(() => decodePoint(encodePoint(T), 'C'), 'C', /identity|small order/);
    // The published list agrees (its non-canonical entries are refused as well).
    for (const hex of ED25519_TORSION_SUBGROUP) rejects(() => decodePoint(hex, 'C'), 'C');
  });

  it('rejects uppercase hex and wrong lengths', () => {
    const hex = encodePoint(randomPoint());
    rejects(() => decodePoint(hex.toUpperCase(), 'C'), 'C', /lowercase hex/);
    rejects(() => decodePoint(hex.slice(0, 62), 'C'), 'C', /32 bytes/);
    rejects(() => decodePoint(hex + '00', 'C'), 'C', /32 bytes/);
    rejects(() => decodePoint(hex.slice(0, 63), 'C'), 'C', /hex/);
    rejects(() => decodePoint('', 'C'), 'C');
    rejects(() => decodePoint(42, 'C'), 'C', /hex/);
  });

  it("accepts a point with a torsion component (that is assertPrimeOrder's job) but assertPrimeOrder refuses P+T", () => {
    const p = randomPoint();
    expect(() => assertPrimeOrder(p, 'C')).not.toThrow();
    for (const T of torsionPoints().slice(1)) {
      const q = p.add(T);
      const decoded = decodePoint(encodePoint(q), 'verifyingShare');
      rejects(() => assertPrimeOrder(decoded, 'verifyingShare'), 'verifyingShare', /prime-order subgroup/);
    }
  });

  it('property: any single-bit change of a valid encoding decodes to another point or is refused, never silently the same', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), (bit) => {
        const p = randomPoint();
        const b = Buffer.from(encodePoint(p), 'hex');
        b[bit >> 3] ^= 1 << (bit & 7);
        let q: Point | undefined;
        try {
          q = decodePoint(b.toString('hex'), 'C');
        } catch (e) {
          expect(e).toBeInstanceOf(SssError);
          return;
        }
        expect(q.equals(p)).toBe(false);
        expect(encodePoint(q)).toBe(b.toString('hex'));
      }),
      { numRuns: 200 },
    );
  });
});

describe('decodeScalar', () => {
  it('accepts 0 and order-1, and round-trips through encodeScalar', () => {
    expect(decodeScalar(le32(0n), 's')).toBe(0n);
    expect(decodeScalar(le32(ORDER - 1n), 's')).toBe(ORDER - 1n);
    expect(decodeScalar(encodeScalar(ORDER - 1n), 's')).toBe(ORDER - 1n);
  });

  it('rejects the order, order+1 and 2^256-1', () => {
    for (const n of [ORDER, ORDER + 1n, 2n ** 256n - 1n])
      rejects(() => decodeScalar(le32(n), 'proofOfKnowledge'), 'proofOfKnowledge', /non-canonical scalar/);
  });

  it('rejects uppercase hex and wrong lengths', () => {
    rejects(() => decodeScalar(le32(0xabn).toUpperCase(), 's'), 's', /lowercase hex/);
    rejects(() => decodeScalar('ab'.repeat(31), 's'), 's', /32 bytes/);
    rejects(() => decodeScalar('ab'.repeat(33), 's'), 's', /32 bytes/);
  });

  it('property: every 32-byte value is accepted exactly when it is below the order', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), (n) => {
        let got: bigint | undefined;
        try {
          got = decodeScalar(le32(n), 's');
        } catch {
          got = undefined;
        }
        expect(got).toBe(n < ORDER ? n : undefined);
      }),
      { numRuns: 500 },
    );
  });
});

describe('decodeHex', () => {
  it('checks the exact length and lowercase', () => {
    expect(decodeHex('00ff', 2, 'f')).toEqual(new Uint8Array([0, 255]));
    rejects(() => decodeHex('00FF', 2, 'f'), 'f', /lowercase/);
    rejects(() => decodeHex('00ff', 3, 'f'), 'f', /3 bytes/);
  });
});
