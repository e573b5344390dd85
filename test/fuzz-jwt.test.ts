/**
 * The JWT helpers of the library take what a server is given: claims as JSON text or objects, a
 * group key, a signature. They must throw nothing but one-line SssErrors; verifySignature nothing.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assembleJwt, jwtHeader, jwtSigningInput, parseClaims, verifySignature } from '../src/index.js';
import { RUNS, onlySssError, weirdValue } from './fuzz-mutate.js';

const KEY = 'ab'.repeat(32);
const DEPTH = 100_000;

describe('JWT helpers on any input', () => {
  it('property: parseClaims, jwtSigningInput, jwtHeader and assembleJwt throw only SssErrors', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.json()),
        fc.oneof(fc.anything({ withBigInt: true }), weirdValue),
        fc.oneof(fc.constant(KEY), weirdValue),
        fc.oneof(fc.uint8Array({ maxLength: 70 }), weirdValue),
        (text, claims, key, sig) => {
          onlySssError(() => parseClaims(text));
          onlySssError(() => jwtSigningInput(claims as never, key as never));
          onlySssError(() => jwtHeader(key as never));
          onlySssError(() => assembleJwt(new Uint8Array(3), sig as never));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('property: verifySignature answers false for anything malformed, never throws', () => {
    const bytesOr = (n: number) =>
      fc.oneof(fc.uint8Array({ minLength: n, maxLength: n }), fc.uint8Array({ maxLength: 70 }), weirdValue);
    fc.assert(
      fc.property(bytesOr(32), fc.oneof(fc.uint8Array({ maxLength: 10 }), weirdValue), bytesOr(64), (pk, msg, sig) => {
        expect(verifySignature(pk as never, msg as never, sig as never)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('malformed claims text is reported in one line (regression: V8 quotes the text, line breaks included)', () => {
    expect(onlySssError(() => parseClaims('!{\n  "sub": 1\n}'))).toMatchObject({ field: 'claims' });
  });

  it('claims nested deeper than the call stack, cyclic or with a BigInt are an SssError (regression: RangeError/TypeError)', () => {
    const deep = parseClaims('{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const claims of [deep, cyclic, { n: 1n }]) {
      const e = onlySssError(() => jwtSigningInput(claims, KEY));
      expect(e).toMatchObject({ field: 'claims' });
    }
  });
});
