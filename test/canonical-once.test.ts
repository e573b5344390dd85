/**
 * The audit canonicalizes each artifact once (canonicalArtifact) and builds both the signing input
 * and the digest input from it: both must be byte-for-byte what jcs/signingInput/digest give, on
 * the golden transcript's artifacts and on objects with awkward keys and values.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { join } from 'node:path';
import { canonicalArtifact, digest, digestOfCanonical, jcs, signingInput } from '../src/artifacts/canonical.js';
import { ROOT } from './helpers.js';

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? jsonFiles(p) : f.endsWith('.json') ? [p] : [];
  });
}

const golden = jsonFiles(join(ROOT, 'test', 'golden', 'transcript', 'ceremonies')).map(
  (f) => JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>,
);

const awkward: Record<string, unknown>[] = [
  { signature: 'ab', a: 1, B: [1, 'x', null, { z: 1, y: [] }], é: 'é\u2028', 'e\u0301': 2, n: 1e21, u: undefined },
  { z: { signature: 'nested stays' }, m: -0, s: '"\\' },
  {},
  { signature: 'only' },
];

describe('canonicalArtifact', () => {
  it('gives jcs(artifact) and signingInput(artifact) for every golden artifact and awkward objects', () => {
    expect(golden.length).toBeGreaterThan(5);
    for (const a of [...golden, ...awkward]) {
      const c = canonicalArtifact(a);
      expect(c.text).toBe(jcs(a));
      expect(Buffer.from(c.signingInput).equals(Buffer.from(signingInput(a)))).toBe(true);
    }
  });

  it('digestOfCanonical of the canonical texts is digest() of the list', () => {
    const texts = golden.map((a) => canonicalArtifact(a).text);
    expect(digestOfCanonical(texts)).toBe(digest(golden));
    expect(digestOfCanonical([])).toBe(digest([]));
    expect(digestOfCanonical(texts.slice(0, 1))).toBe(digest(golden.slice(0, 1)));
  });
});

/** canonicalize's answer (the reference): its text, or that it refused (threw, or wrote nothing). */
function reference(value: unknown): string {
  try {
    return canonicalize(value) ?? 'refused';
  } catch {
    return 'refused';
  }
}

function ours(value: unknown): string {
  try {
    return jcs(value);
  } catch {
    return 'refused';
  }
}

/** Keys that stress member order: array indices (enumerated first), __proto__, case, accents. */
const key = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.constantFrom('0', '1', '10', '9', '01', '__proto__', 'signature', 'B', 'a', 'é', 'e\u0301', '\ud800', '\u{1f600}'),
);
const leaf = fc.oneof(
  fc.string({ maxLength: 6, unit: 'binary' }),
  fc.string({
    maxLength: 6,
    unit: fc.constantFrom('a', '"', '\\', '\u2028', '\u0000', '\ud800', '\udc00', '\u{1f600}'),
  }),
  fc.double(),
  fc.integer(),
  fc.constantFrom(null, true, false, undefined, -0, 1e21, 1e-7, Number.NaN, Number.POSITIVE_INFINITY),
);
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc
    .array(fc.tuple(key, tie('value')), { maxLength: 5 })
    .map((members) => Object.fromEntries(members) as unknown),
})).value;

describe('jcs', () => {
  it('writes what canonicalize writes, and refuses what it refuses, on random values', () => {
    fc.assert(
      fc.property(json, (v) => {
        expect(ours(v)).toBe(reference(v));
      }),
      { numRuns: 3000 },
    );
  });

  it('leaves holes to canonicalize, and writes deep nesting as canonicalize does', () => {
    // eslint-disable-next-line no-sparse-arrays
    const holey = [1, , 2];
    expect(ours(holey)).toBe(reference(holey));
    const deep = JSON.parse('[{"b":['.repeat(500) + ']}]'.repeat(500)) as unknown;
    expect(ours(deep)).toBe(reference(deep));
  });

  it('keeps a member named __proto__ and orders array-index keys as strings', () => {
    const parsed = JSON.parse('{"__proto__":{"x":1},"b":2,"10":3,"9":4}') as unknown;
    expect(jcs(parsed)).toBe('{"10":3,"9":4,"__proto__":{"x":1},"b":2}');
    expect(jcs(parsed)).toBe(canonicalize(parsed));
  });
});
