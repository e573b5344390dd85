/** SssError: codes a library caller can match, culprits as a list, one way to place an error. */
import { describe, expect, it } from 'vitest';
import { SssError, located, locatedIn } from '../src/errors.js';
import { parseJson, parseWith, Round1 } from '../src/artifacts/schemas.js';
import { decodePoint } from '../src/crypto/suite.js';
import { checkCommitmentList } from '../src/artifacts/signing.js';

function thrown(f: () => unknown): SssError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SssError);
    return e as SssError;
  }
  throw new Error('expected an SssError');
}

describe('SssError', () => {
  it('keeps the culprit spelling: one culprit string becomes the list, the message is unchanged', () => {
    const e = new SssError('bad share', {
      code: 'inconsistent',
      file: 'f.json',
      field: 'share',
      culprit: 'alice, bob',
    });
    expect(e.culprits).toEqual(['alice', 'bob']);
    expect(e.culprit).toBe('alice, bob');
    expect(e.code).toBe('inconsistent');
    expect(e.message).toBe('f.json: share: bad share (culprit: alice, bob)');
    expect(new SssError('x', { code: 'io' }).culprit).toBeUndefined();
  });

  it('requires a code, so that no new refusal goes out without one', () => {
    // The typecheck (tsconfig.test.json) fails if `code` ever becomes optional again.
    // @ts-expect-error code is required
    const e = new SssError('no code', { file: 'f.json' });
    expect(e.message).toBe('f.json: no code');
  });

  it('located fills in only what the error does not name yet, and keeps the code', () => {
    const inner = new SssError('point of small order', { code: 'malformed', field: 'hiding' });
    const e = located(inner, { file: 'c.json', field: 'other', culprits: ['carol'] });
    expect([e.code, e.file, e.field, e.culprits]).toEqual(['malformed', 'c.json', 'hiding', ['carol']]);
    expect(located(e, { file: 'elsewhere.json' })).toBe(e);
    const wrapped = located(new RangeError('boom'), { file: 'x.json' });
    expect([wrapped.code, wrapped.message]).toEqual(['invalid', 'x.json: boom']);
    expect(thrown(() => locatedIn({ file: 'p.json' }, () => decodePoint('00'.repeat(32), 'binding'))).message).toBe(
      'p.json: binding: point of small order',
    );
  });

  it('real refusals carry their codes', () => {
    expect(thrown(() => parseJson('{"a": ', 'cut.json')).code).toBe('malformed');
    expect(thrown(() => parseWith(Round1, { format: 'nope' }, 'r.json')).code).toBe('malformed');
    expect(thrown(() => decodePoint('zz', 'k')).code).toBe('malformed');
    expect(thrown(() => checkCommitmentList([], { publicKey: '00'.repeat(32), threshold: 2 } as never)).code).toBe(
      'incomplete',
    );
  });
});
