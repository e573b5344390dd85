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

describe('startDecoding with workers', () => {
  it("remembers only the proofs and prime orders a worker verified; the audit's own checks refuse the rest", async () => {
    // @ts-ignore: built output, typed through src
    const { startDecoding } = await import('../lib/crypto/decode-pool.js');
    // @ts-ignore: built output, typed through src
    const { checkRound1Package, dkgRound1, proofKnown } = await import('../lib/crypto/dkg.js');
    // @ts-ignore: built output, typed through src
    const { identifierFor, isPrimeOrder } = await import('../lib/crypto/suite.js');
    clearPointCache();
    const signers = { min: 3, max: 5 };
    const good = dkgRound1(identifierFor('alice'), signers).pkg;
    const other = dkgRound1(identifierFor('bob'), signers).pkg;
    // bob's commitment with alice's proof: every point valid, the proof wrong.
    const forged = { ...other, proofOfKnowledge: good.proofOfKnowledge };
    const torsion = hex(
      P.BASE.multiply(5n)
        .add(P.fromAffine({ x: 0n, y: P.Fp.ORDER - 1n }))
        .toBytes(),
    );
    const primeOrder = hex(P.BASE.multiply(9n).toBytes());
    const tasks = [
      { points: [...good.commitment, good.proofOfKnowledge.slice(0, 64)], proof: good },
      { points: [...forged.commitment, forged.proofOfKnowledge.slice(0, 64)], proof: forged },
      { points: [torsion, primeOrder], primeOrder: true },
      // Enough points that workers start (decoding pays from 4096 on).
      ...Array.from({ length: 17 }, (_, i) => ({ points: valid.slice(i * 250, (i + 1) * 250) })),
    ];
    // Worker threads do everything: this thread joins only after they are done.
    const job = startDecoding(tasks, 4);
    await new Promise((r) => setTimeout(r, 4000));
    job.finish();
    expect(valid.every((h) => isPointCached(h))).toBe(true);
    const known = (p: typeof good) => proofKnown(p.identifier, p.commitment[0], p.proofOfKnowledge);
    expect(known(good)).toBe(true);
    expect(known(forged)).toBe(false);
    expect(checkRound1Package(good, signers).commitment.length).toBe(3);
    expect(() => checkRound1Package(forged, signers)).toThrow('invalid proof of knowledge');
    expect(isPrimeOrder(decodePoint(primeOrder, 'p'))).toBe(true);
    expect(isPrimeOrder(decodePoint(torsion, 'p'))).toBe(false);
  });
});
