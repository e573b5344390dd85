/** Duplicate JSON keys are refused wherever sss-tool reads JSON: artifacts, manifests, JWT claims. */
import { describe, expect, it } from 'vitest';
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
