/**
 * verifyArtifactSignature answers first with OpenSSL (node:crypto) and falls back to noble: the
 * decision must be exactly noble's `ed25519.verify(..., { zip215: false })`, including on the
 * signatures where the two libraries' equations differ (a torsion component in R, S ≥ L).
 */
import { describe, expect, it } from 'vitest';
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes } from '@noble/hashes/utils.js';
import { digest, jcs, signArtifact, signingInput, verifyArtifactSignature } from '../src/artifacts/canonical.js';
import { Fn, ORDER, Point, bytesToHex, hexToBytes } from '../src/crypto/suite.js';
import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';

const noble = (a: Record<string, unknown>, key: string) =>
  ed25519.verify(hexToBytes(a.signature as string), signingInput(a), hexToBytes(key), { zip215: false });

function keyPair() {
  const sk = ed25519.utils.randomSecretKey();
  return { sk, pk: bytesToHex(ed25519.getPublicKey(sk)), ext: ed25519.utils.getExtendedPublicKey(sk) };
}

/** A signature whose R carries a torsion component: noble's cofactored equation holds, OpenSSL's does not. */
function torsionSigned(
  artifact: Record<string, unknown>,
  ext: { scalar: bigint; pointBytes: Uint8Array },
  torsion: string,
): Record<string, unknown> {
  const r = Fn.create(bytesToNumberLE(crypto.getRandomValues(new Uint8Array(64))));
  const R = Point.BASE.multiply(r).add(Point.fromBytes(hexToBytes(torsion), true));
  const Rb = R.toBytes();
  const k = Fn.create(bytesToNumberLE(sha512(concatBytes(Rb, ext.pointBytes, signingInput(artifact)))));
  const S = Fn.add(r, Fn.mul(k, ext.scalar));
  return { ...artifact, signature: bytesToHex(concatBytes(Rb, numberToBytesLE(S, 32))) };
}

describe('verifyArtifactSignature', () => {
  it('decides as noble does: valid, tampered, wrong key, S + L, torsion in R', () => {
    const me = keyPair();
    const other = keyPair();
    const a = signArtifact({ format: 'x', moniker: 'alice', n: 1 }, me.sk);
    const sig = hexToBytes(a.signature);
    const sPlusL = bytesToHex(
      concatBytes(sig.subarray(0, 32), numberToBytesLE(bytesToNumberLE(sig.subarray(32)) + ORDER, 32)),
    );
    const cases: [Record<string, unknown>, string][] = [
      [a, me.pk],
      [{ ...a, n: 2 }, me.pk],
      [a, other.pk],
      [{ ...a, signature: sPlusL }, me.pk],
      ...ED25519_TORSION_SUBGROUP.slice(1).map((t): [Record<string, unknown>, string] => [
        torsionSigned({ format: 'x', moniker: 'alice', n: 3 }, me.ext, t),
        me.pk,
      ]),
    ];
    const answers = cases.map(([art, key]) => [verifyArtifactSignature(art, key), noble(art, key)]);
    for (const [ours, theirs] of answers) expect(ours).toBe(theirs);
    expect(answers.map(([o]) => o).slice(0, 4)).toEqual([true, false, false, false]);
    // Torsion in R: cofactored noble accepts them, OpenSSL's cofactorless check does not.
    expect(answers.slice(4).every(([o]) => o)).toBe(true);
    const key = createPublicKey({
      key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), hexToBytes(me.pk)]),
      format: 'der',
      type: 'spki',
    });
    for (const [art] of cases.slice(4))
      expect(nodeVerify(null, signingInput(art), key, hexToBytes(art.signature as string))).toBe(false);
  });

  it('rejects small-order and non-canonical keys as noble does', () => {
    const me = keyPair();
    const a = signArtifact({ format: 'x', moniker: 'alice' }, me.sk);
    for (const key of [ED25519_TORSION_SUBGROUP[1], 'ff'.repeat(32), me.pk.slice(0, 62) + 'zz'])
      expect(verifyArtifactSignature(a, key)).toBe(false);
  });
});

describe('digest', () => {
  it('is SHA-256 of the canonical JSON', () => {
    const v = { b: [1, 'two', { c: null }], a: 'é' };
    expect(digest(v)).toBe(
      createHash('sha256')
        .update(Buffer.from(jcs(v), 'utf8'))
        .digest('hex'),
    );
    expect(jcs(v)).toBe('{"a":"é","b":[1,"two",{"c":null}]}');
  });
});
