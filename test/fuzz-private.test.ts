/**
 * privateMaterial scans every file of a pull request, whatever its path, so its input is anything
 * a person can commit: JSON nested deeper than the call stack included. A property checks that the
 * iterative walk finds what the straightforward recursive one finds, in the same order.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PRIVATE_FORMATS, PRIVATE_KEYS, privateMaterial } from '../src/artifacts/private.js';
import { RUNS } from './fuzz-mutate.js';

/** The reference: the recursive walk privateMaterial used to do. */
function recursive(value: unknown, path = ''): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const r = recursive(value[i], `${path}${i}.`);
      if (r) return r;
    }
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const obj = value as Record<string, unknown>;
  if (typeof obj.format === 'string' && PRIVATE_FORMATS.has(obj.format)) return `a private file (format ${obj.format})`;
  for (const [k, v] of Object.entries(obj)) {
    if (Object.hasOwn(PRIVATE_KEYS, k)) return `${PRIVATE_KEYS[k]} (field ${path}${k})`;
    const r = recursive(v, `${path}${k}.`);
    if (r) return r;
  }
  return undefined;
}

describe('privateMaterial on any JSON', () => {
  it('property: finds the same first secret as a recursive walk', () => {
    const key = fc.oneof(
      fc.constantFrom(...Object.keys(PRIVATE_KEYS), 'format', 'a', 'b'),
      fc.string({ maxLength: 4 }),
    );
    const leaf = fc.oneof(fc.constantFrom(...PRIVATE_FORMATS, 'x'), fc.integer(), fc.constant(null));
    const { json } = fc.letrec((tie) => ({
      json: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('json'), { maxLength: 4 }),
        fc.dictionary(key, tie('json'), { maxKeys: 4 }),
      ),
    }));
    fc.assert(
      fc.property(json, (v) => {
        expect(privateMaterial(JSON.stringify(v))).toBe(recursive(v));
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('JSON nested deeper than the call stack is walked, not a RangeError (regression)', () => {
    const depth = 200_000;
    expect(privateMaterial('['.repeat(depth) + ']'.repeat(depth))).toBeUndefined();
    expect(privateMaterial('{"a":'.repeat(depth) + '1' + '}'.repeat(depth))).toBeUndefined();
    const deep = '[{"a":'.repeat(1000) + '{"signingShare":"00"}' + '}]'.repeat(1000);
    expect(privateMaterial(deep)).toBe(`a signing share (field ${'0.a.'.repeat(1000)}signingShare)`);
  });
});
