/**
 * The audit canonicalizes each artifact once (canonicalArtifact) and builds both the signing input
 * and the digest input from it: both must be byte-for-byte what jcs/signingInput/digest give, on
 * the golden transcript's artifacts and on objects with awkward keys and values.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
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
