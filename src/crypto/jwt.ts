/**
 * The compact JWT (RFC 7519) trust-server issues: header {"alg":"EdDSA","typ":"JWT","kid":<group
 * key hex>}, in exactly that key order; the signature is the group's Ed25519 signature over the
 * ASCII signing input `base64url(header) "." base64url(payload)`.
 */
import { SssError } from '../errors.js';

const HEX32 = /^[0-9a-f]{64}$/;

export type JwtClaims = Record<string, unknown>;

function base64url(bytes: Uint8Array | string): string {
  return Buffer.from(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes).toString('base64url');
}

/** The header JSON text, keys in the order trust-server writes them. */
export function jwtHeader(groupKey: string): string {
  if (typeof groupKey !== 'string' || !HEX32.test(groupKey))
    throw new SssError('expected the group key as 64 lowercase hex characters', { code: 'malformed', field: 'kid' });
  return JSON.stringify({ alg: 'EdDSA', typ: 'JWT', kid: groupKey });
}

/** Claims from JSON text: must be a JSON object. */
export function parseClaims(text: string, field = 'claims'): JwtClaims {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    // V8 quotes the text around the error, line breaks included: one line.
    throw new SssError(`malformed JSON (${(e as Error).message.replace(/\s*[\r\n]+\s*/g, ' ')})`, {
      code: 'malformed',
      field,
    });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new SssError('the claims must be a JSON object', { code: 'malformed', field });
  return v as JwtClaims;
}

/**
 * The bytes every signer signs: `base64url(header) "." base64url(JSON.stringify(claims))`.
 * Signers must agree on it byte for byte; the same claims object (or JSON text) yields the same.
 */
export function jwtSigningInput(claims: JwtClaims, groupKey: string): Uint8Array {
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
    throw new SssError('the claims must be a JSON object', { code: 'malformed', field: 'claims' });
  let json: string;
  try {
    json = JSON.stringify(claims);
  } catch (e) {
    // A cycle or a BigInt (TypeError), or nesting deeper than the stack (RangeError).
    throw new SssError(`the claims cannot be written as JSON (${String((e as Error).message).split('\n')[0]})`, {
      code: 'malformed',
      field: 'claims',
    });
  }
  const text = `${base64url(jwtHeader(groupKey))}.${base64url(json)}`;
  return new Uint8Array(Buffer.from(text, 'ascii'));
}

/** The compact JWT: signing input, ".", base64url of the 64-byte signature. */
export function assembleJwt(signingInput: Uint8Array, signature: Uint8Array): string {
  if (!(signingInput instanceof Uint8Array))
    throw new SssError('the signing input must be bytes (a Uint8Array)', { code: 'malformed', field: 'signingInput' });
  if (!(signature instanceof Uint8Array) || signature.length !== 64)
    throw new SssError('an Ed25519 signature is 64 bytes (a Uint8Array)', { code: 'malformed', field: 'signature' });
  return `${Buffer.from(signingInput).toString('ascii')}.${base64url(signature)}`;
}
