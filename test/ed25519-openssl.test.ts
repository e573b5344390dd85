/**
 * verify-signature answers "valid" from OpenSSL alone when it can (src/crypto/ed25519-openssl.ts)
 * and asks @noble/curves otherwise: its acceptance must stay exactly noble's strict verification.
 * These are the cases where OpenSSL and noble differ, built by hand, and random good and bad
 * signatures; the CLI is run on the adversarial ones.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createHash, createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { validByOpenSsl } from '../lib/crypto/ed25519-openssl.js';
import { verifyEd25519 } from '../lib/crypto/sign.js';
import { cleanupTempDirs, cli, tempDir } from './helpers.js';

const { Point } = ed25519;
const L = Point.Fn.ORDER;
const P = 2n ** 255n - 19n;
const MESSAGE = new TextEncoder().encode('sss-tool: OpenSSL and noble must agree');
/** The eight points of small order: multiples of one of order 8. */
const T8 = Point.fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05');
const TORSION = Array.from({ length: 8 }, (_, i) => (i ? T8.multiplyUnsafe(BigInt(i)) : Point.ZERO));

afterAll(cleanupTempDirs);

const challenge = (r: Uint8Array, a: Uint8Array) =>
  bytesToNumberLE(createHash('sha512').update(r).update(a).update(MESSAGE).digest()) % L;
const randomScalar = () => bytesToNumberLE(createHash('sha512').update(Math.random().toString()).digest()) % L;

/** A signature OpenSSL's cofactorless check accepts under the key bytes `a` (A of small order). */
function openSslValidUnderSmallOrderKey(a: Uint8Array, A: InstanceType<typeof Point>): Uint8Array {
  for (;;) {
    // R = [s]B − [j]A with a guess j of k mod 8; kept when the challenge k agrees.
    const s = randomScalar();
    const j = BigInt(Math.floor(Math.random() * 8));
    const R = Point.BASE.multiply(s).subtract(A.multiplyUnsafe(j));
    const r = R.toBytes();
    if (challenge(r, a) % 8n === j % 8n || A.equals(Point.ZERO))
      return new Uint8Array([...r, ...numberToBytesLE(s, 32)]);
  }
}

function nodeKeyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  return { raw: new Uint8Array(raw), privateKey };
}

describe('validByOpenSsl', () => {
  it('knows every small-order key, whatever its sign bit, and refuses it to noble', () => {
    for (const A of TORSION) {
      const canonical = A.toBytes();
      const flipped = Uint8Array.from(canonical, (b, i) => (i === 31 ? b ^ 0x80 : b));
      for (const a of [canonical, flipped]) {
        const sig = openSslValidUnderSmallOrderKey(canonical, A);
        const sigFor = a === canonical ? sig : openSslValidUnderSmallOrderKey(a, A);
        expect(validByOpenSsl(a, MESSAGE, sigFor), bytesToHex(a)).toBe(false);
        expect(verifyEd25519(a, MESSAGE, sigFor), bytesToHex(a)).toBe(false);
      }
    }
  });

  it('refuses non-canonical keys (y ≥ p) to noble', () => {
    for (let d = 0n; d < 19n; d++) {
      const a = numberToBytesLE(P + d, 32);
      expect(validByOpenSsl(a, MESSAGE, new Uint8Array(64))).toBe(false);
    }
  });

  it('leaves to noble a signature whose R carries a torsion part (noble accepts it, OpenSSL does not)', () => {
    const secret = randomScalar();
    const A = Point.BASE.multiply(secret);
    const nonce = randomScalar();
    const r = Point.BASE.multiply(nonce).add(T8).toBytes();
    const s = (nonce + challenge(r, A.toBytes()) * secret) % L;
    const sig = new Uint8Array([...r, ...numberToBytesLE(s, 32)]);
    expect(verifyEd25519(A.toBytes(), MESSAGE, sig)).toBe(true);
    expect(validByOpenSsl(A.toBytes(), MESSAGE, sig)).toBe(false);
  });

  it('accepts good signatures, as noble does, and never a changed one', () => {
    for (let i = 0; i < 20; i++) {
      const { raw, privateKey } = nodeKeyPair();
      const sig = new Uint8Array(nodeSign(null, MESSAGE, privateKey));
      expect(validByOpenSsl(raw, MESSAGE, sig)).toBe(true);
      expect(verifyEd25519(raw, MESSAGE, sig)).toBe(true);
      const bad = sig.slice();
      bad[i % 64] ^= 1 << (i % 8);
      expect(validByOpenSsl(raw, MESSAGE, bad)).toBe(false);
      // S + L (still below 2^256): the same point equation, refused by both (S must be below L).
      const big = new Uint8Array([...sig.slice(0, 32), ...numberToBytesLE(bytesToNumberLE(sig.slice(32)) + L, 32)]);
      expect(validByOpenSsl(raw, MESSAGE, big)).toBe(false);
      expect(verifyEd25519(raw, MESSAGE, big)).toBe(false);
    }
  });
});

describe('sss-tool verify-signature', () => {
  function run(key: Uint8Array, sig: Uint8Array) {
    const dir = tempDir('sss-vsig-');
    writeFileSync(join(dir, 'key.txt'), bytesToHex(key) + '\n');
    writeFileSync(join(dir, 'message.txt'), MESSAGE);
    return cli([
      'verify-signature',
      '--public-key',
      join(dir, 'key.txt'),
      '--message-file',
      join(dir, 'message.txt'),
      '--signature',
      bytesToHex(sig),
    ]);
  }

  it('refuses a signature under the identity key that OpenSSL alone accepts', () => {
    const identity = Point.ZERO.toBytes();
    const sig = openSslValidUnderSmallOrderKey(identity, Point.ZERO);
    // The danger is real: OpenSSL on its own takes this signature (for any message).
    const key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(identity).toString('base64url') },
      format: 'jwk',
    });
    expect(nodeVerify(null, MESSAGE, key, sig)).toBe(true);
    const r = run(identity, sig);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `sss-tool: error: --signature: the signature does not verify under the group key ${bytesToHex(identity)}\n`,
    );
  });

  it('accepts, as before, a signature with a torsion part in R that only noble accepts', () => {
    const secret = randomScalar();
    const A = Point.BASE.multiply(secret);
    const nonce = randomScalar();
    const r = Point.BASE.multiply(nonce).add(T8).toBytes();
    const s = (nonce + challenge(r, A.toBytes()) * secret) % L;
    const out = run(A.toBytes(), new Uint8Array([...r, ...numberToBytesLE(s, 32)]));
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe(`valid: an Ed25519 signature by the group key ${bytesToHex(A.toBytes())}\n`);
  });
});
