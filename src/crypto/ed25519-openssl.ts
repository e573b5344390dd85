/**
 * A fast "valid" for Ed25519 signatures through node:crypto (OpenSSL), for `verify-signature`:
 * loading @noble/curves and building its table for the base point costs more than the rest of the
 * command. It may only ever answer what verifyEd25519 (src/crypto/sign.ts, @noble/curves with
 * zip215: false) would answer, so it answers "valid" or "ask noble", never "invalid":
 *
 *   OpenSSL accepts (RFC 8032 cofactorless: S < L, and R's bytes equal the encoding of [S]B − [k]A)
 *   and A is canonical (y < p) and not of small order
 *   ⇒ noble accepts: R is the canonical encoding of a valid point, so it decodes strictly; A decodes
 *     strictly (y < p; x = 0 only for y = ±1, which is small order); S < L; and R + [k]A − [S]B = 0,
 *     so the cofactored equation noble checks holds; noble refuses small-order A, and so do we.
 *
 * Every other case (OpenSSL refuses, or the key is non-canonical or of small order) goes to noble,
 * which decides exactly as before. So the acceptance is noble's, unchanged; OpenSSL only saves
 * the load when the signature is good (test/ed25519-openssl.test.ts checks both directions).
 */
import { createPublicKey, verify } from 'node:crypto';

const P = 2n ** 255n - 19n;

/**
 * The y-coordinates of the eight points of small order (the 8-torsion): 0 and 1, p − 1, and the
 * two of order 8. A point is of small order exactly when its y is one of these, whatever its sign
 * bit (test/ed25519-openssl.test.ts derives them from @noble/curves' torsion points).
 */
const SMALL_ORDER_Y = new Set([
  0n,
  1n,
  P - 1n,
  0x05fc536d880238b13933c6d305acdfd5f098eff289f4c345b027b2c28f95e826n,
  0x7a03ac9277fdc74ec6cc392cfa53202a0f67100d760b3cba4fd84d3d706a17c7n,
]);

/** Whether the key encoding is canonical (y < p) and not of small order. */
function keyAcceptable(publicKey: Uint8Array): boolean {
  const bytes = Buffer.from(publicKey);
  bytes[31] &= 0x7f; // the sign of x
  const y = BigInt('0x' + Buffer.from(bytes).reverse().toString('hex'));
  return y < P && !SMALL_ORDER_Y.has(y);
}

/**
 * True when OpenSSL accepts and the key passes the checks above: then noble accepts too. False
 * means "not decided here" (ask verifyEd25519), never "invalid".
 */
export function validByOpenSsl(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64 || !keyAcceptable(publicKey)) return false;
  try {
    const key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') },
      format: 'jwk',
    });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}
