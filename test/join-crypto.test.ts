/**
 * Enrollment math (src/crypto/join.ts, src/ceremony/join-steps.ts): the newcomer's share is f(x_n),
 * it signs with the others, and the masks do their job: no fragment is an approver's weighted share,
 * and the masks of a set cancel. (That the fragments reveal nothing beyond f(x_n) is the masks'
 * uniformity, argued in src/crypto/join.ts; an equation that any fragments summing to f(x_n)
 * satisfy would not test it, so there is none here.)
 */
import { describe, expect, it } from 'vitest';
import { ed25519, ed25519_FROST as frost } from '@noble/curves/ed25519.js';
import { numberToBytesLE } from '@noble/curves/utils.js';
import { Cosigner, aggregate, verifySignature } from '../src/index.js';
import {
  FRAGMENT_LABEL,
  badApprovalRelations,
  combineFragments,
  decodeMaskCommitment,
  encodeMaskCommitment,
  joinFragment,
  lagrangeCoefficients,
  maskCommitmentSum,
  maskSum,
  pairMask,
  pairMasks,
} from '../src/crypto/join.js';
import { hpkeInfo, open } from '../src/crypto/hpke.js';
import { evaluateCommitment, lagrangeAt } from '../src/crypto/msm.js';
import { Fn, Point, bytesToHex, decodePoint, decodeScalar, encodePoint, hexToBytes } from '../src/crypto/suite.js';
import { ShareFile } from '../src/local/share.js';
import { SssError } from '../src/errors.js';
import { dealGroup, finalizeJoin, makeJoin, person } from './join-fixture.js';

const FIVE = ['alice', 'bob', 'carol', 'dave', 'erin'];
const C = (g: ReturnType<typeof dealGroup>) => g.group.commitment.map((c, k) => decodePoint(c, `commitment.${k}`));

/** The fragments the newcomer receives, decrypted (test-side, with the join secret). */
async function fragments(j: Awaited<ReturnType<typeof makeJoin>>): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  for (const [m, a] of j.approvals) {
    const plain = await open(j.joinSecret, hpkeInfo(FRAGMENT_LABEL, j.ceremony, a.identifier, j.newcomer.identifier), {
      enc: hexToBytes(a.fragment.enc),
      ciphertext: hexToBytes(a.fragment.ciphertext),
    });
    out.set(m, decodeScalar(bytesToHex(plain), 'sigma'));
  }
  return out;
}

describe("the newcomer's share", () => {
  it('equals f(x_n): its verifying share is Y(x_n) from the group commitment', async () => {
    const g = dealGroup(FIVE, 3);
    const j = await makeJoin(g, 'frank', ['alice', 'carol', 'erin']);
    const { signingShare, verifyingShare } = await finalizeJoin(j, g.group);
    expect(verifyingShare).toBe(encodePoint(evaluateCommitment(C(g), j.newcomer.x)));
    expect(encodePoint(Point.BASE.multiply(signingShare))).toBe(verifyingShare);
  });

  it('reconstructs the group secret with any t−1 original holders (test-only reconstruction)', async () => {
    const g = dealGroup(FIVE, 3);
    const j = await makeJoin(g, 'frank', ['bob', 'carol', 'dave']);
    const { signingShare } = await finalizeJoin(j, g.group);
    const share = (identifier: string, s: bigint) => ({ identifier, signingShare: Fn.toBytes(s) });
    for (const others of [
      ['alice', 'bob'],
      ['dave', 'erin'],
      ['alice', 'erin'],
    ]) {
      const set = [
        share(j.newcomer.identifier, signingShare),
        ...others.map((m) => share(g.people.get(m)!.identifier, g.people.get(m)!.share!)),
      ];
      const secret = frost.combineSecret(set, { min: 3, max: 6 });
      expect(bytesToHex(ed25519.Point.BASE.multiply(decodeScalar(bytesToHex(secret), 's')).toBytes())).toBe(
        g.group.publicKey,
      );
      expect(decodeScalar(bytesToHex(secret), 's')).toBe(g.secret);
    }
  });

  it('works with more approvers than the threshold (|H| = 4 > M = 3)', async () => {
    const g = dealGroup(FIVE, 3);
    const j = await makeJoin(g, 'frank', ['alice', 'bob', 'dave', 'erin']);
    const { verifyingShare } = await finalizeJoin(j, g.group);
    expect(verifyingShare).toBe(encodePoint(evaluateCommitment(C(g), j.newcomer.x)));
  });

  it('signs with two original holders: a standard Ed25519 signature under the unchanged group key', async () => {
    const g = dealGroup(FIVE, 3);
    const j = await makeJoin(g, 'frank', ['alice', 'bob', 'carol']);
    const { signingShare, verifyingShare } = await finalizeJoin(j, g.group);
    const shareFile = (moniker: string, identifier: string, s: bigint, Y: string, ceremony: string): ShareFile => ({
      format: 'sss-tool/share@1',
      ciphersuite: 'FROST-ED25519-SHA512-v1',
      ceremony,
      moniker,
      identifier,
      signingShare: bytesToHex(Fn.toBytes(s)),
      verifyingShare: Y,
      group: { publicKey: g.group.publicKey, threshold: 3, commitment: g.group.commitment, genesis: 'genesis' },
    });
    const signers = [
      new Cosigner(shareFile('frank', j.newcomer.identifier, signingShare, verifyingShare, j.ceremony)),
      ...['dave', 'erin'].map((m) => {
        const p = g.people.get(m)!;
        return new Cosigner(
          shareFile(m, p.identifier, p.share!, encodePoint(Point.BASE.multiply(p.share!)), 'genesis'),
        );
      }),
    ];
    const message = new TextEncoder().encode('a JWT signing input');
    const commitments = signers.map((s) => s.commit('s1'));
    const shares = signers.map((s) => s.signShare('s1', message, commitments));
    const { signature, signers: who } = aggregate(signers[0].group, message, commitments, shares);
    expect(who).toContain('frank');
    expect(verifySignature(g.group.publicKey, message, signature)).toBe(true);
    expect(ed25519.verify(signature, message, hexToBytes(g.group.publicKey))).toBe(true);
  });
});

describe('privacy: the masks', () => {
  it('are applied: no fragment is λ_i·s_i, and the masks of the set sum to zero', async () => {
    const g = dealGroup(FIVE, 3);
    const H = ['alice', 'carol', 'erin'];
    const j = await makeJoin(g, 'frank', H);
    const sigma = await fragments(j);
    const xs = H.map((m) => g.people.get(m)!.x);
    let maskTotal = 0n;
    for (const m of H) {
      const p = g.people.get(m)!;
      const weighted = Fn.mul(lagrangeAt(xs, p.x, j.newcomer.x), p.share!);
      expect(sigma.get(m)).not.toBe(weighted);
      maskTotal = Fn.add(maskTotal, Fn.sub(sigma.get(m)!, weighted));
    }
    expect(maskTotal).toBe(0n);
    // The naive scheme: the newcomer could then interpolate the secret from the fragments.
    const naive = H.map((m) => {
      const p = g.people.get(m)!;
      return {
        identifier: p.identifier,
        signingShare: Fn.toBytes(Fn.div(sigma.get(m)!, lagrangeAt(xs, p.x, j.newcomer.x))),
      };
    });
    expect(bytesToHex(frost.combineSecret(naive, { min: 3, max: 6 }))).not.toBe(bytesToHex(Fn.toBytes(g.secret)));
  });

  it('are the same at both ends of a pair, and differ by pair, ceremony and request', () => {
    const [a, b, c] = ['alice', 'bob', 'carol'].map(person);
    const digest = 'ab'.repeat(32);
    const ab = pairMasks('join-x', digest, a, [b, c]);
    const ba = pairMasks('join-x', digest, b, [a, c]);
    expect(ab[0].mask).toBe(ba[0].mask);
    expect(ab[1].mask).not.toBe(ab[0].mask);
    expect(pairMasks('join-y', digest, a, [b])[0].mask).not.toBe(ab[0].mask);
    expect(pairMasks('join-x', 'cd'.repeat(32), a, [b])[0].mask).not.toBe(ab[0].mask);
    // μ over a set sums to zero whatever the masks are.
    const set = [a, b, c];
    const mus = set.map((p) =>
      maskSum(
        p.x,
        pairMasks(
          'join-x',
          digest,
          p,
          set.filter((q) => q !== p),
        ),
      ),
    );
    expect(mus.reduce((s, m) => Fn.add(s, m), 0n)).toBe(0n);
  });

  it("need the approvers' X25519 secrets: the newcomer's keys derive other values", () => {
    const [a, b, n] = ['alice', 'bob', 'frank'].map(person);
    const digest = 'ab'.repeat(32);
    const real = pairMasks('join-x', digest, a, [b])[0].mask;
    // Everything the newcomer holds: its own secrets against the approvers' public keys.
    const guesses = [
      pairMasks('join-x', digest, { ...n, identifier: a.identifier, x: a.x }, [b])[0].mask,
      pairMasks('join-x', digest, { ...n, identifier: b.identifier, x: b.x }, [a])[0].mask,
    ];
    for (const guess of guesses) expect(guess).not.toBe(real);
  });

  it('are fresh for every request: the same approvers give unrelated fragments to two requests', async () => {
    const g = dealGroup(FIVE, 3);
    const H = ['alice', 'bob', 'carol'];
    const one = await fragments(await makeJoin(g, 'frank', H, 'join-1'));
    const two = await fragments(await makeJoin(g, 'grace', H, 'join-2'));
    // Different newcomers have different λ; if the masks were reused, σ − σ' would be (λ − λ')·s.
    for (const m of H) {
      const p = g.people.get(m)!;
      const xs = H.map((k) => g.people.get(k)!.x);
      const lf = lagrangeAt(xs, p.x, decodeScalar(person('frank').identifier, 'x'));
      const lg = lagrangeAt(xs, p.x, decodeScalar(person('grace').identifier, 'x'));
      expect(Fn.sub(one.get(m)!, two.get(m)!)).not.toBe(Fn.mul(Fn.sub(lf, lg), p.share!));
    }
  });
});

describe('public checks', () => {
  it('lagrangeCoefficients agrees with lagrangeAt', () => {
    const xs = FIVE.map((m) => person(m).x);
    const at = person('frank').x;
    expect(lagrangeCoefficients(xs, at)).toEqual(xs.map((x) => lagrangeAt(xs, x, at)));
  });

  it('the relation S_i = λ_i·Y_i + V_i holds for honest approvals and names a wrong S_i', async () => {
    const g = dealGroup(FIVE, 3);
    const H = ['alice', 'bob', 'carol'];
    const people = H.map((m) => g.people.get(m)!);
    const xs = people.map((p) => p.x);
    const xn = person('frank').x;
    const entries = people.map((p) => {
      const masks = pairMasks(
        'join-x',
        'ab'.repeat(32),
        p,
        people.filter((q) => q !== p),
      );
      const { sigma, lambda } = joinFragment(p.x, p.share!, xs, xn, masks);
      const V = maskCommitmentSum(
        p.x,
        masks.map((m) => ({ x: m.x, M: decodeMaskCommitment(encodeMaskCommitment(Point.BASE.multiply(m.mask)), 'M') })),
      );
      return { id: p.moniker, lambda, Y: Point.BASE.multiply(p.share!), S: Point.BASE.multiply(sigma), V, sigma };
    });
    expect(badApprovalRelations(entries)).toEqual([]);
    const sum = entries.reduce((s, e) => s.add(e.S), Point.ZERO);
    expect(sum.equals(evaluateCommitment(C(g), xn))).toBe(true);
    entries[1].S = entries[1].S.add(Point.BASE);
    expect(badApprovalRelations(entries)).toEqual(['bob']);
    // The newcomer's side names a fragment that does not match S_i.
    expect(() =>
      combineFragments(
        entries.map((e) => ({ id: e.id, sigma: e.sigma, S: e.S })),
        sum,
      ),
    ).toThrow(SssError);
    try {
      combineFragments(
        entries.map((e) => ({ id: e.id, sigma: e.sigma, S: e.S })),
        sum,
      );
    } catch (e) {
      expect((e as SssError).culprit).toBe('bob');
    }
  });

  it('mask commitments: the 64-byte encoding round-trips and every malformed form is rejected', () => {
    const P = Point.BASE.multiply(123456789n);
    const hex = encodeMaskCommitment(P);
    expect(hex.slice(0, 64)).toBe(encodePoint(P));
    expect(decodeMaskCommitment(hex, 'M').equals(P)).toBe(true);
    const le = (n: bigint) => bytesToHex(numberToBytesLE(n, 32));
    const { x, y } = P.toAffine();
    const p = Point.Fp.ORDER;
    const reason = (h: unknown) => {
      try {
        decodeMaskCommitment(h, 'M');
      } catch (e) {
        return (e as SssError).reason;
      }
      return 'accepted';
    };
    const signed = (yy: bigint, xx: bigint) => {
      const b = numberToBytesLE(yy, 32);
      if (xx & 1n) b[31] |= 0x80;
      return bytesToHex(b) + le(xx);
    };
    expect(reason(hex.toUpperCase())).toMatch(/hex/);
    expect(reason(hex.slice(0, 126))).toMatch(/hex/);
    const flipped =
      hex.slice(0, 62) + (parseInt(hex.slice(62, 64), 16) ^ 0x80).toString(16).padStart(2, '0') + hex.slice(64);
    expect(reason(flipped)).toMatch(/sign bit/);
    expect(reason(signed(y, x ^ 1n))).toMatch(/curve/);
    expect(reason(signed(y + 1n, x))).toMatch(/curve/);
    expect(decodeMaskCommitment(encodeMaskCommitment(P.negate()), 'M').equals(P.negate())).toBe(true);
    expect(reason(signed(p + 1n, x))).toMatch(/non-canonical/);
    expect(reason(signed(y, p))).toMatch(/non-canonical/);
    expect(reason(signed(1n, 0n))).toMatch(/identity/);
    expect(reason(signed(p - 1n, 0n))).toMatch(/small order/);
    const t8 = Point.fromBytes(
      hexToBytes('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'),
    ).toAffine();
    expect(reason(signed(t8.y, t8.x))).toMatch(/small order/);
    expect(pairMask('c', 'ab'.repeat(32), 'aa'.repeat(32), 'bb'.repeat(32), new Uint8Array(32))).toBeLessThan(Fn.ORDER);
  });
});
