/**
 * The DKG's cryptography against noble's `ed25519_FROST.DKG` (which frost-rs's vectors pin):
 * our round-1 packages and shares through noble's round2/round3, noble's packages and shares
 * through our checks, and the checks that name a culprit. Then: any single-byte tampering of a
 * round-1 artifact's signed content is rejected by the public audit.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sha512 } from '@noble/hashes/sha2.js';
import { bytesToNumberLE, concatBytes } from '@noble/curves/utils.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { ED25519_TORSION_SUBGROUP, ed25519, x25519 } from '@noble/curves/ed25519.js';
import type { DKG_Round1, DKG_Secret } from '@noble/curves/abstract/frost.js';
import { signArtifact, signingInput, jcs } from '../src/artifacts/canonical.js';
import { FORMATS, Round1 } from '../src/artifacts/schemas.js';
import { auditDkg } from '../src/ceremony/dkg.js';
import { CeremonyFiles } from '../src/ceremony/tree.js';
import {
  Round1Package,
  Round1Secret,
  badVerifyingShares,
  checkRound1Package,
  combineShares,
  dealShares,
  dkgRound1,
  groupCommitment,
  proofHolds,
} from '../src/crypto/dkg.js';
import { evaluateCommitment, evaluatePolynomial } from '../src/crypto/msm.js';
import {
  CIPHERSUITE,
  Fn,
  ORDER,
  Point,
  bytesToHex,
  decodePoint,
  decodeScalar,
  encodePoint,
  frost,
  hexToBytes,
  identifierFor,
  identifierToScalar,
} from '../src/crypto/suite.js';
import { SssError } from '../src/errors.js';

const toNoble = (p: Round1Package): DKG_Round1 => ({
  identifier: p.identifier,
  commitment: p.commitment.map(hexToBytes),
  proofOfKnowledge: hexToBytes(p.proofOfKnowledge),
});
const fromNoble = (p: DKG_Round1): Round1Package => ({
  identifier: p.identifier,
  commitment: p.commitment.map(bytesToHex),
  proofOfKnowledge: bytesToHex(p.proofOfKnowledge),
});
/** noble's secret state for a polynomial we made (noble's round2/round3 need one). */
const nobleSecretOf = (s: Round1Secret): DKG_Secret => ({
  identifier: identifierToScalar(s.identifier),
  coefficients: s.coefficients.map((c, k) => decodeScalar(c, `coefficients.${k}`)),
  commitment: s.commitment.map(hexToBytes),
  signers: { ...s.signers },
  step: 1,
});
const scalarOfBytes = (b: Uint8Array) => decodeScalar(bytesToHex(b), 'scalar');
const ids = (n: number) => Array.from({ length: n }, (_, i) => identifierFor(`participant-${i}`));

function expectSssError(f: () => unknown, want: { field?: string; culprit?: string; reason?: RegExp }): SssError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an SssError').toBeInstanceOf(SssError);
  const e = err as SssError;
  if (want.field !== undefined) expect(e.field).toBe(want.field);
  if (want.culprit !== undefined) expect(e.culprit).toBe(want.culprit);
  if (want.reason) expect(e.reason).toMatch(want.reason);
  return e;
}

describe.each([
  [3, 5],
  [5, 7],
])('byte compatibility with noble, %i-of-%i', (min, max) => {
  const signers = { min, max };

  it("our round 1 and our shares go through noble's round2 and round3, with the same results", () => {
    const all = ids(max);
    const ours = all.map((id) => dkgRound1(id, signers));
    const noble = ours.map((o) => nobleSecretOf(o.secret));
    const C = groupCommitment(ours.map((o) => checkRound1Package(o.pkg, signers).commitment));
    for (let i = 0; i < max; i++) {
      const others = ours.filter((_, j) => j !== i);
      // noble checks our proofs of knowledge and deals from our polynomial: the same shares as ours.
      const nobleShares = frost.DKG.round2(
        noble[i],
        others.map((o) => toNoble(o.pkg)),
      );
      const ourShares = dealShares(
        ours[i].secret,
        others.map((o) => o.pkg.identifier),
      );
      expect(Object.keys(nobleShares).sort()).toEqual([...ourShares.keys()].sort());
      for (const [to, s] of ourShares) expect(bytesToHex(nobleShares[to].signingShare)).toBe(bytesToHex(Fn.toBytes(s)));
    }
    for (let i = 0; i < max; i++) {
      const x = identifierToScalar(all[i]);
      const others = ours.filter((_, j) => j !== i);
      const received = others.map((o) => ({
        identifier: o.pkg.identifier,
        signingShare: Fn.toBytes(dealShares(o.secret, [all[i]]).get(all[i])!),
      }));
      const key = frost.DKG.round3(
        noble[i],
        others.map((o) => toNoble(o.pkg)),
        received,
      );
      const dealt = ours.map((o) => ({
        dealer: o.pkg.identifier,
        commitment: o.pkg.commitment.map((c) => decodePoint(c, 'c')),
        share:
          o === ours[i]
            ? evaluatePolynomial(nobleSecretOf(o.secret).coefficients!, x)
            : scalarOfBytes(received.find((r) => r.identifier === o.pkg.identifier)!.signingShare),
      }));
      const mine = combineShares(x, dealt, C);
      expect(bytesToHex(key.secret.signingShare)).toBe(bytesToHex(Fn.toBytes(mine.signingShare)));
      expect(key.public.commitments.map(bytesToHex)).toEqual(C.map(encodePoint));
      expect(bytesToHex(key.public.verifyingShares[all[i]])).toBe(encodePoint(mine.verifyingShare));
    }
  });

  it('noble and our participants mixed in one ceremony agree on every share and the group key', () => {
    const all = ids(max);
    // Even positions run noble's DKG, odd positions ours.
    const parts = all.map((id, i) =>
      i % 2 === 0
        ? (() => {
            const r = frost.DKG.round1(id, signers);
            return {
              id,
              kind: 'noble' as const,
              pkg: fromNoble(r.public),
              nobleSecret: r.secret,
              ourSecret: undefined as Round1Secret | undefined,
            };
          })()
        : (() => {
            const r = dkgRound1(id, signers);
            return {
              id,
              kind: 'ours' as const,
              pkg: r.pkg,
              nobleSecret: undefined as DKG_Secret | undefined,
              ourSecret: r.secret,
            };
          })(),
    );
    // Our check accepts every package, noble's included; the decoded commitments match noble's.
    const checked = parts.map((p) => checkRound1Package(p.pkg, signers));
    const C = groupCommitment(checked.map((c) => c.commitment));
    // Round 2: each dealer's share for each recipient.
    const share = new Map<string, Map<string, Uint8Array>>();
    for (const p of parts) {
      const others = parts.filter((o) => o !== p);
      if (p.kind === 'noble') {
        const out = frost.DKG.round2(
          p.nobleSecret!,
          others.map((o) => toNoble(o.pkg)),
        );
        share.set(p.id, new Map(Object.entries(out).map(([to, r]) => [to, r.signingShare])));
      } else {
        const out = dealShares(
          p.ourSecret!,
          others.map((o) => o.id),
        );
        share.set(p.id, new Map([...out].map(([to, s]) => [to, Fn.toBytes(s)])));
      }
    }
    // Round 3: noble's participants with noble's round3, ours with combineShares.
    const results = new Map<string, { signingShare: string; verifyingShare: string; groupKey: string }>();
    for (const [i, p] of parts.entries()) {
      const others = parts.filter((o) => o !== p);
      if (p.kind === 'noble') {
        const key = frost.DKG.round3(
          p.nobleSecret!,
          others.map((o) => toNoble(o.pkg)),
          others.map((o) => ({ identifier: o.id, signingShare: share.get(o.id)!.get(p.id)! })),
        );
        results.set(p.id, {
          signingShare: bytesToHex(key.secret.signingShare),
          verifyingShare: bytesToHex(key.public.verifyingShares[p.id]),
          groupKey: bytesToHex(key.public.commitments[0]),
        });
      } else {
        const x = checked[i].id;
        const dealt = parts.map((o, j) => ({
          dealer: o.id,
          commitment: checked[j].commitment,
          share:
            o === p
              ? evaluatePolynomial(
                  p.ourSecret!.coefficients.map((c, k) => decodeScalar(c, `c${k}`)),
                  x,
                )
              : scalarOfBytes(share.get(o.id)!.get(p.id)!),
        }));
        const r = combineShares(x, dealt, C);
        results.set(p.id, {
          signingShare: bytesToHex(Fn.toBytes(r.signingShare)),
          verifyingShare: encodePoint(r.verifyingShare),
          groupKey: encodePoint(C[0]),
        });
      }
    }
    const groupKeys = new Set([...results.values()].map((r) => r.groupKey));
    expect(groupKeys.size).toBe(1);
    for (const [i, p] of parts.entries()) {
      const r = results.get(p.id)!;
      expect(r.verifyingShare).toBe(encodePoint(evaluateCommitment(C, checked[i].id)));
      expect(encodePoint(Point.BASE.multiply(scalarOfBytes(hexToBytes(r.signingShare))))).toBe(r.verifyingShare);
    }
    // Any min of the signing shares reconstruct the secret behind the group key.
    const secrets = parts
      .slice(0, min)
      .map((p) => ({ identifier: p.id, signingShare: hexToBytes(results.get(p.id)!.signingShare) }));
    const secret = scalarOfBytes(frost.combineSecret(secrets, signers));
    expect(encodePoint(Point.BASE.multiply(secret))).toBe([...groupKeys][0]);
    // And noble's verifying-share batch check (ours) accepts all of them.
    expect(
      badVerifyingShares(
        parts.map((p, i) => ({ id: p.id, x: checked[i].id, Y: decodePoint(results.get(p.id)!.verifyingShare, 'Y') })),
        C,
      ),
    ).toEqual([]);
  });
});

describe('checkRound1Package', () => {
  const signers = { min: 3, max: 5 };
  const fresh = () => dkgRound1(identifierFor('alice'), signers).pkg;

  it('accepts a fresh package and returns its decoded commitment', () => {
    const pkg = fresh();
    const r = checkRound1Package(pkg, signers);
    expect(r.id).toBe(identifierToScalar(pkg.identifier));
    expect(r.commitment.map(encodePoint)).toEqual(pkg.commitment);
  });

  it('rejects a tampered proof of knowledge (R or z changed)', () => {
    const pkg = fresh();
    const R = decodePoint(pkg.proofOfKnowledge.slice(0, 64), 'R');
    const z = decodeScalar(pkg.proofOfKnowledge.slice(64), 'z');
    const withR = { ...pkg, proofOfKnowledge: encodePoint(R.add(Point.BASE)) + pkg.proofOfKnowledge.slice(64) };
    const withZ = {
      ...pkg,
      proofOfKnowledge: pkg.proofOfKnowledge.slice(0, 64) + bytesToHex(Fn.toBytes(Fn.add(z, 1n))),
    };
    for (const bad of [withR, withZ])
      expectSssError(() => checkRound1Package(bad, signers), {
        field: 'proofOfKnowledge',
        reason: /invalid proof of knowledge/,
      });
    // z pushed to z + order is the same value mod the order, but non-canonical: refused as such.
    const big = z + ORDER;
    const le = new Uint8Array(32);
    for (let i = 0, n = big; i < 32; i++, n >>= 8n) le[i] = Number(n & 0xffn);
    expectSssError(
      () =>
        checkRound1Package({ ...pkg, proofOfKnowledge: pkg.proofOfKnowledge.slice(0, 64) + bytesToHex(le) }, signers),
      { field: 'proofOfKnowledge', reason: /non-canonical scalar/ },
    );
  });

  it("rejects a wrong identifier: the proof binds the dealer's identifier", () => {
    const pkg = fresh();
    expectSssError(() => checkRound1Package({ ...pkg, identifier: identifierFor('bob') }, signers), {
      field: 'proofOfKnowledge',
      reason: /invalid proof of knowledge/,
    });
    expectSssError(() => checkRound1Package({ ...pkg, identifier: '00'.repeat(32) }, signers), {
      field: 'identifier',
      reason: /zero/,
    });
    expectSssError(() => checkRound1Package({ ...pkg, identifier: 'ff'.repeat(32) }, signers), {
      field: 'identifier',
      reason: /non-canonical/,
    });
  });

  it('rejects a commitment of the wrong length', () => {
    const pkg = fresh();
    expectSssError(() => checkRound1Package({ ...pkg, commitment: pkg.commitment.slice(0, 2) }, signers), {
      field: 'commitment',
      reason: /expected 3 commitment points/,
    });
    expectSssError(() => checkRound1Package({ ...pkg, commitment: [...pkg.commitment, pkg.commitment[1]] }, signers), {
      field: 'commitment',
    });
    expectSssError(() => checkRound1Package({ ...pkg, commitment: [] }, signers), { field: 'commitment' });
  });

  it('checks R == z·G − c·C_0 exactly when C_0 has a torsion part, as noble does (no cofactor)', () => {
    // C_0 = a·G + T with T of order 8, R = k·G, z = k + c·a: then z·G − c·C_0 = R − c·T, so the
    // exact equation holds only when 8 divides c. A check that negated c as a scalar (L − c) or
    // multiplied by the cofactor would decide otherwise for some of these.
    const order8 = ED25519_TORSION_SUBGROUP.map((h) => Point.fromHex(h)).find((t) => !t.double().double().is0())!;
    const id = identifierToScalar(identifierFor('alice'));
    const a = 1234567n;
    const C0 = Point.BASE.multiply(a).add(order8);
    const seen = { holds: 0, fails: 0 };
    for (let k = 1n; seen.holds < 2 || seen.fails < 2; k++) {
      const R = Point.BASE.multiply(k);
      const h = sha512(concatBytes(utf8ToBytes(CIPHERSUITE + 'dkg'), Fn.toBytes(id), C0.toBytes(), R.toBytes()));
      const c = Fn.create(bytesToNumberLE(h));
      const z = Fn.add(k, Fn.mul(c, a));
      const proof = encodePoint(R) + bytesToHex(Fn.toBytes(z));
      const exact = c % 8n === 0n;
      expect(proofHolds(id, C0, proof)).toBe(exact);
      // noble's ProofOfKnowledge.validate, written out: the same verdict.
      expect(R.equals(Point.BASE.multiplyUnsafe(z).subtract(C0.multiplyUnsafe(c)))).toBe(exact);
      seen[exact ? 'holds' : 'fails']++;
    }
  });

  it('rejects a small-order point in the commitment', () => {
    const pkg = fresh();
    const commitment = [...pkg.commitment];
    commitment[2] = ED25519_TORSION_SUBGROUP[3];
    expectSssError(() => checkRound1Package({ ...pkg, commitment }, signers), {
      field: 'commitment.2',
      reason: /small order/,
    });
  });
});

describe('combineShares and badVerifyingShares name the culprit', () => {
  const signers = { min: 3, max: 4 };
  const setup = () => {
    const all = ids(signers.max);
    const rounds = all.map((id) => dkgRound1(id, signers));
    const commitments = rounds.map((r) => checkRound1Package(r.pkg, signers).commitment);
    const C = groupCommitment(commitments);
    const x = identifierToScalar(all[0]);
    const dealt = rounds.map((r, j) => ({
      dealer: `dealer-${j}`,
      commitment: commitments[j],
      share:
        dealShares(
          r.secret,
          all.filter((id) => id !== r.pkg.identifier),
        ).get(all[0]) ??
        evaluatePolynomial(
          r.secret.coefficients.map((c) => decodeScalar(c, 'c')),
          x,
        ),
    }));
    return { all, C, x, dealt };
  };

  it('accepts honest shares', () => {
    const { C, x, dealt } = setup();
    expect(combineShares(x, dealt, C).verifyingShare.equals(evaluateCommitment(C, x))).toBe(true);
  });

  it('names the dealer whose share does not match its commitment', () => {
    const { C, x, dealt } = setup();
    dealt[2] = { ...dealt[2], share: Fn.add(dealt[2].share, 1n) };
    expectSssError(() => combineShares(x, dealt, C), {
      culprit: 'dealer-2',
      reason: /does not match its dealer's commitment/,
    });
  });

  it('names every bad dealer, and a dealer whose share is zero', () => {
    const { C, x, dealt } = setup();
    dealt[1] = { ...dealt[1], share: 0n };
    dealt[3] = { ...dealt[3], share: Fn.neg(dealt[3].share) };
    expectSssError(() => combineShares(x, dealt, C), { culprit: 'dealer-1, dealer-3' });
  });

  it('badVerifyingShares names a wrong verifying share and a torsioned one', () => {
    const { all, C } = setup();
    const entries = all.map((id) => {
      const x = identifierToScalar(id);
      return { id, x, Y: evaluateCommitment(C, x) };
    });
    expect(badVerifyingShares(entries, C)).toEqual([]);
    const wrong = entries.map((e, i) => (i === 1 ? { ...e, Y: e.Y.add(Point.BASE) } : e));
    expect(badVerifyingShares(wrong, C)).toEqual([all[1]]);
    // Y + T for a point T of order 8: still decodes (not small order), but not in the subgroup.
    const T = Point.fromHex(ED25519_TORSION_SUBGROUP[3]);
    const torsioned = entries.map((e, i) =>
      i === 2 ? { ...e, Y: decodePoint(encodePoint(e.Y.add(T)), 'verifyingShare') } : e,
    );
    expect(badVerifyingShares(torsioned, C)).toEqual([all[2]]);
    // Y + 4T (order 2) as well: a batch check without the subgroup test could miss it half the time.
    const half = entries.map((e, i) => (i === 3 ? { ...e, Y: e.Y.add(T.multiplyUnsafe(4n)) } : e));
    expect(badVerifyingShares(half, C)).toEqual([all[3]]);
  });

  it('groupCommitment refuses a sum with a torsion component', () => {
    const { C } = setup();
    const T = Point.fromHex(ED25519_TORSION_SUBGROUP[3]);
    expectSssError(() => groupCommitment([C, C.map((p, k) => (k === 1 ? p.add(T) : p))]), {
      field: 'commitment.1',
      reason: /prime-order subgroup/,
    });
  });
});

describe("auditDkg rejects any single-byte tampering of a round-1 artifact's signed content", () => {
  const ceremony = 'prop';
  const signers = { min: 2, max: 3 };
  const monikers = ['alice', 'bob', 'carol'];
  const artifacts: Round1[] = monikers.map((moniker) => {
    const signingSecret = ed25519.utils.randomSecretKey();
    const identifier = identifierFor(moniker);
    const { pkg } = dkgRound1(identifier, signers);
    return signArtifact(
      {
        format: FORMATS.round1,
        ceremony,
        moniker,
        identifier,
        signingKey: bytesToHex(ed25519.getPublicKey(signingSecret)),
        encryptionKey: bytesToHex(x25519.getPublicKey(x25519.utils.randomSecretKey())),
        threshold: signers.min,
        participants: signers.max,
        commitment: pkg.commitment,
        proofOfKnowledge: pkg.proofOfKnowledge,
      },
      signingSecret,
    ) as Round1;
  });
  const manifest = {
    format: FORMATS.ceremony,
    ceremony,
    kind: 'dkg',
    ciphersuite: CIPHERSUITE,
    threshold: signers.min,
    participants: signers.max,
  };
  const filesWith = (round1: unknown[]): CeremonyFiles => ({
    id: ceremony,
    dir: `ceremonies/${ceremony}`,
    manifest: { file: `ceremonies/${ceremony}/ceremony.json`, value: manifest },
    byRole: new Map([
      [
        'round1',
        new Map(
          round1.map((v, i) => [monikers[i], { file: `ceremonies/${ceremony}/round1/${monikers[i]}.json`, value: v }]),
        ),
      ],
    ]),
    singles: new Map(),
    errors: [],
  });

  it('the untampered ceremony passes round 1', () => {
    const audit = auditDkg(filesWith(artifacts));
    expect(audit.errors).toEqual([]);
    expect(audit.round1.size).toBe(3);
    expect(audit.phase).toBe('round2');
  });

  it('property: change one byte of JCS(artifact without signature), keep the signature: rejected, naming the file', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (who, pos, delta) => {
        const a = artifacts[who];
        const { signature, ...unsigned } = a;
        const bytes = Buffer.from(jcs(unsigned), 'utf8');
        const i = pos % bytes.length;
        bytes[i] = (bytes[i] + delta) & 0xff;
        let tampered: unknown;
        try {
          tampered = JSON.parse(new TextDecoder().decode(bytes));
        } catch {
          return; // not JSON any more: rejected before any check (the CLI says "malformed JSON")
        }
        if (tampered === null || typeof tampered !== 'object' || Array.isArray(tampered)) return;
        const value = { ...(tampered as object), signature };
        const round1 = artifacts.map((x, k) => (k === who ? value : x));
        const audit = auditDkg(filesWith(round1));
        expect(audit.round1.has(monikers[who])).toBe(false);
        expect(audit.errors.some((e) => e.file === `ceremonies/${ceremony}/round1/${monikers[who]}.json`)).toBe(true);
        expect(audit.phase).toBe('invalid');
        // The other two artifacts stay valid: the error is located, not global.
        expect(audit.round1.size).toBe(2);
      }),
      { numRuns: 300 },
    );
  });

  it('property: change one byte of the signature: rejected as a bad signature of its author', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 }), fc.nat({ max: 63 }), fc.integer({ min: 1, max: 255 }), (who, pos, delta) => {
        const a = artifacts[who];
        const sig = hexToBytes(a.signature);
        sig[pos] = (sig[pos] + delta) & 0xff;
        const round1 = artifacts.map((x, k) => (k === who ? { ...a, signature: bytesToHex(sig) } : x));
        const audit = auditDkg(filesWith(round1));
        const err = audit.errors.find((e) => e.file === `ceremonies/${ceremony}/round1/${monikers[who]}.json`);
        expect(err?.field).toBe('signature');
        expect(err?.culprit).toBe(monikers[who]);
      }),
      { numRuns: 100 },
    );
  });

  it('the signed bytes are the JCS of the artifact without its signature, after the label', () => {
    const { signature: _s, ...unsigned } = artifacts[0];
    expect(Buffer.from(signingInput(artifacts[0])).toString('utf8')).toBe('sss-tool/v1 artifact\n' + jcs(unsigned));
    expect(
      ed25519.verify(
        hexToBytes(artifacts[0].signature),
        signingInput(artifacts[0]),
        hexToBytes(artifacts[0].signingKey),
      ),
    ).toBe(true);
  });
});
