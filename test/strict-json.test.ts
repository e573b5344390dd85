/** Duplicate JSON keys are refused wherever sss-tool reads JSON: artifacts, manifests, JWT claims. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { duplicateKey } from '../src/artifacts/strict-json.js';
import { parseJson } from '../src/artifacts/schemas.js';
import { parseClaims } from '../src/crypto/jwt.js';

describe('duplicate JSON keys', () => {
  it('finds a repeated key at any depth, compared after unescaping', () => {
    expect(duplicateKey('{"a":1,"b":2}')).toBeUndefined();
    expect(duplicateKey('{"a":1,"a":2}')).toBe('a');
    expect(duplicateKey('{"a":1,"\\u0061":2}')).toBe('a');
    expect(duplicateKey('{"x":[{"k":1},{"k":2,"k":3}]}')).toBe('k');
    expect(duplicateKey('{"x":{"k":1},"y":{"k":2}}')).toBeUndefined();
  });

  it('is not fooled by braces, quotes and commas inside strings', () => {
    expect(duplicateKey('{"a":"{\\"a\\":1,","b":"\\\\","c":[",",{"a":"}"}]}')).toBeUndefined();
    expect(duplicateKey('{"a":"x\\"","a":"y"}')).toBe('a');
  });

  it('ends on text whose last string is not closed (not JSON: it still returns)', () => {
    expect(duplicateKey('["x')).toBeUndefined();
    expect(duplicateKey('{"a":1,"b')).toBeUndefined();
  });

  it('walks JSON nested deeper than the call stack', () => {
    const deep = '['.repeat(100_000) + '{"a":1,"a":2}' + ']'.repeat(100_000);
    expect(duplicateKey(deep)).toBe('a');
  });

  it('is an error for artifacts and for JWT claims, naming the key', () => {
    expect(() => parseJson('{"moniker":"alice","moniker":"mallory"}', 'ceremonies/g/round1/alice.json')).toThrow(
      /ceremonies\/g\/round1\/alice.json: duplicate key "moniker"/,
    );
    expect(() => parseClaims('{"sub":"machine-a","sub":"machine-b"}')).toThrow(/duplicate key "sub"/);
  });
});

/** A JSON document as a tree whose objects are entry lists, so that a key may appear twice. */
type Doc = string | number | Doc[] | { entries: [string, Doc][] };

/** The first repeated key in text order (a key, then its value's contents, then the next key). */
function firstRepeat(doc: Doc): string | undefined {
  if (Array.isArray(doc)) {
    for (const d of doc) {
      const r = firstRepeat(d);
      if (r !== undefined) return r;
    }
  } else if (typeof doc === 'object') {
    const seen = new Set<string>();
    for (const [k, v] of doc.entries) {
      if (seen.has(k)) return k;
      seen.add(k);
      const r = firstRepeat(v);
      if (r !== undefined) return r;
    }
  }
  return undefined;
}

/** Writes doc as JSON text, with the given whitespace and some key characters \u-escaped. */
function write(doc: Doc, ws: string, escape: boolean): string {
  if (Array.isArray(doc)) return `[${ws}${doc.map((d) => write(d, ws, escape)).join(`${ws},${ws}`)}${ws}]`;
  if (typeof doc !== 'object') return JSON.stringify(doc);
  const key = (k: string) =>
    escape
      ? `"${[...k].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`
      : JSON.stringify(k);
  const members = doc.entries.map(([k, v]) => `${key(k)}${ws}:${ws}${write(v, ws, escape)}`);
  return `{${ws}${members.join(`${ws},${ws}`)}${ws}}`;
}

const tricky = fc.string({
  maxLength: 4,
  unit: fc.constantFrom('a', 'b', '"', '\\', '{', '}', '[', ']', ',', ':', ' '),
});
const doc = fc.letrec((tie) => ({
  doc: fc.oneof({ depthSize: 'small' }, tricky, fc.integer(), tie('array'), tie('object')),
  array: fc.array(tie('doc'), { maxLength: 3 }),
  object: fc.array(fc.tuple(tricky, tie('doc')), { maxLength: 4 }).map((entries) => ({ entries })),
})).doc as fc.Arbitrary<Doc>;

describe('duplicateKey on random documents', () => {
  it('finds the first repeated key, whatever the whitespace, escapes and string contents', () => {
    fc.assert(
      fc.property(doc, fc.constantFrom('', ' ', '\n  '), fc.boolean(), (d, ws, escape) => {
        const text = write(d, ws, escape);
        JSON.parse(text); // valid JSON, as duplicateKey requires
        expect(duplicateKey(text)).toBe(firstRepeat(d));
      }),
      { numRuns: 2000 },
    );
  });
});
