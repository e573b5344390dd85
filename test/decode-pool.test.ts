// The parallel decoder must cache exactly what decodePoint would, and leave bad encodings for the
// audit to report. It runs from the built lib/ (its worker is a .js file beside it).
import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
// @ts-ignore: built output, typed through src
import { predecodePoints } from '../lib/crypto/decode-pool.js';
// @ts-ignore: built output, typed through src
import { decodePoint, isPointCached, clearPointCache } from '../lib/crypto/suite.js';

const P = ed25519.Point;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const valid: string[] = [];
let acc = P.BASE.multiply(7n);
for (let i = 0; i < 4200; i++) {
  acc = acc.add(P.BASE);
  valid.push(hex(acc.toBytes()));
}

describe('predecodePoints', () => {
  it('caches every valid point, identical to a serial decode, and leaves invalid ones uncached', async () => {
    const identity = hex(P.ZERO.toBytes());
    const notOnCurve = '02' + '00'.repeat(31);
    const smallOrder = hex(P.fromAffine({ x: 0n, y: P.Fp.ORDER - 1n }).toBytes());
    expect(() => decodePoint(notOnCurve, 'p')).toThrow('p: not a valid Ed25519 point encoding');
    clearPointCache();
    await predecodePoints([...valid, identity, notOnCurve, smallOrder], 2);
    expect(valid.every((h) => isPointCached(h))).toBe(true);
    const refused = new Map([
      [identity, 'p: point is the identity'],
      [notOnCurve, 'p: not a valid Ed25519 point encoding'],
      [smallOrder, 'p: point of small order'],
    ]);
    for (const [bad, message] of refused) {
      expect(isPointCached(bad)).toBe(false);
      expect(() => decodePoint(bad, 'p')).toThrow(message);
    }
    for (const h of valid.filter((_, i) => i % 97 === 0))
      expect(decodePoint(h, 'p').equals(P.fromBytes(Buffer.from(h, 'hex')))).toBe(true);
  });

  it('does nothing on a single core or for small inputs (decoding stays lazy)', async () => {
    clearPointCache();
    const h = hex(P.BASE.multiply(11n).toBytes());
    await predecodePoints([h], 2);
    expect(isPointCached(h)).toBe(false);
    await predecodePoints(valid, 1);
    expect(valid.some((v) => isPointCached(v))).toBe(false);
  });
});
