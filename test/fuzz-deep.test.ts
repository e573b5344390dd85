/**
 * Values no structural mutation reaches cheaply: JSON nested deeper than the call stack and
 * strings as long as the file allows, put in any top-level field of any artifact kind. Every
 * schema must refuse them with a short one-line SssError naming the file, never a RangeError.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { z } from 'zod';
import { DkgManifest, Finalize, Round1, Round2, parseWith } from '../src/artifacts/schemas.js';
import { JoinApproval, JoinFinalize, JoinManifest, JoinRequest } from '../src/artifacts/join.js';
import {
  SignCommitment,
  SignNonces,
  SignShare,
  parseSignCommitment,
  parseSignShare,
} from '../src/artifacts/signing.js';
import { ShareFile, checkShareFile } from '../src/local/share.js';
import { onlySssError } from './fuzz-mutate.js';

const DEPTH = 100_000;
const deepList = JSON.parse('['.repeat(DEPTH) + ']'.repeat(DEPTH));
const deepObject = JSON.parse('{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH));
const longString = 'x'.repeat(400_000);
const longKey = 'k'.repeat(400_000);

const h = (bytes: number, c = '1') => c.repeat(bytes * 2);
const id = { moniker: 'alice', identifier: h(32), signingKey: h(32), encryptionKey: h(32) };
const c = { ceremony: 'c1' };

/** One schema-valid document per kind (shape only: these parsers check no cryptography). */
const schemas: [z.ZodType, Record<string, unknown>][] = [
  [
    DkgManifest,
    {
      format: 'sss-tool/ceremony@1',
      ...c,
      kind: 'dkg',
      ciphersuite: 'FROST-ED25519-SHA512-v1',
      threshold: 2,
      participants: 3,
      allowList: ['alice'],
    },
  ],
  [
    Round1,
    {
      format: 'sss-tool/dkg-round1@1',
      ...c,
      ...id,
      threshold: 2,
      participants: 3,
      commitment: [h(32), h(32)],
      proofOfKnowledge: h(64),
      signature: h(64),
    },
  ],
  [
    Round2,
    {
      format: 'sss-tool/dkg-round2@1',
      ...c,
      moniker: 'alice',
      identifier: h(32),
      round1Digest: h(32),
      shares: [{ recipient: 'bob', enc: h(32), ciphertext: h(48) }],
      signature: h(64),
    },
  ],
  [
    Finalize,
    {
      format: 'sss-tool/dkg-finalize@1',
      ...c,
      moniker: 'alice',
      identifier: h(32),
      round1Digest: h(32),
      round2Digest: h(32),
      groupKey: h(32),
      verifyingShare: h(32),
      signature: h(64),
    },
  ],
  [
    JoinManifest,
    {
      format: 'sss-tool/ceremony@1',
      ...c,
      kind: 'join',
      ciphersuite: 'FROST-ED25519-SHA512-v1',
      threshold: 2,
      publicKey: h(32),
      extends: 'g',
      groupDigest: h(32),
    },
  ],
  [
    JoinRequest,
    {
      format: 'sss-tool/join-request@1',
      ...c,
      ...id,
      github: 'alice',
      endpoint: 'https://x',
      groupDigest: h(32),
      joinKey: h(32),
      approvers: ['bob'],
      signature: h(64),
    },
  ],
  [
    JoinApproval,
    {
      format: 'sss-tool/join-approval@1',
      ...c,
      moniker: 'alice',
      identifier: h(32),
      requestDigest: h(32),
      fragment: { enc: h(32), ciphertext: h(48) },
      fragmentCommitment: h(32),
      maskCommitments: { bob: h(64) },
      signature: h(64),
    },
  ],
  [
    JoinFinalize,
    {
      format: 'sss-tool/join-finalize@1',
      ...c,
      moniker: 'alice',
      identifier: h(32),
      requestDigest: h(32),
      approvalsDigest: h(32),
      verifyingShare: h(32),
      signature: h(64),
    },
  ],
  [
    SignCommitment,
    {
      format: 'sss-tool/sign-commitment@1',
      session: 's',
      moniker: 'alice',
      identifier: h(32),
      groupKey: h(32),
      hiding: h(32),
      binding: h(32),
    },
  ],
  [
    SignShare,
    {
      format: 'sss-tool/sign-share@1',
      session: 's',
      moniker: 'alice',
      identifier: h(32),
      groupKey: h(32),
      messageDigest: h(32),
      commitmentsDigest: h(32),
      share: h(32),
    },
  ],
  [
    SignNonces,
    {
      format: 'sss-tool/sign-nonces@1',
      session: 's',
      moniker: 'alice',
      identifier: h(32),
      groupKey: h(32),
      hiding: h(32),
      binding: h(32),
    },
  ],
  [
    ShareFile,
    {
      format: 'sss-tool/share@1',
      ciphersuite: 'FROST-ED25519-SHA512-v1',
      ...c,
      moniker: 'alice',
      identifier: h(32),
      signingShare: h(32),
      verifyingShare: h(32),
      group: { publicKey: h(32), threshold: 2, commitment: [h(32), h(32)], genesis: 'g' },
    },
  ],
];

const parsers: [(v: unknown, file: string) => unknown, Record<string, unknown>][] = [
  ...schemas.map(([s, base]): [(v: unknown, file: string) => unknown, Record<string, unknown>] => [
    (v, file) => parseWith(s, v, file),
    base,
  ]),
  [parseSignCommitment, schemas[8][1]],
  [parseSignShare, schemas[9][1]],
  [checkShareFile, schemas[11][1]],
];

/** Every path to a value in a document (fields, list items, nested fields). */
function pathsOf(v: unknown, prefix: string[] = []): string[][] {
  if (v === null || typeof v !== 'object') return [prefix];
  return [prefix, ...Object.entries(v).flatMap(([k, x]) => pathsOf(x, [...prefix, k]))].filter((p) => p.length);
}

function withValue(base: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const out = JSON.parse(JSON.stringify(base));
  let o = out;
  for (const k of path.slice(0, -1)) o = o[k];
  o[path[path.length - 1]] = value;
  return out;
}

describe('deep and long values in any field', () => {
  it('the base documents pass their schema', () => {
    for (const [s, base] of schemas) expect(s.safeParse(base).success).toBe(true);
  });

  it('property: any field or item replaced by one is refused with a short one-line SssError naming the file', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: parsers.length - 1 }),
        fc.nat(),
        fc.constantFrom<unknown>(deepList, deepObject, longString, { [longKey]: 1 }),
        fc.boolean(),
        (p, at, value, asNewField) => {
          const [parse, base] = parsers[p];
          const paths = pathsOf(base);
          const path = asNewField ? [longKey.slice(0, 1 + (at % 300))] : paths[at % paths.length];
          const e = onlySssError(() => parse(withValue(base, path, value), 'the-file.json'));
          expect(e, `refused: ${path.join('.')}`).toBeDefined();
          expect(e!.file).toBe('the-file.json');
          expect(e!.message.length).toBeLessThan(400);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a deeply nested format, and a long one, are described, not quoted whole (regression: RangeError)', () => {
    const e = onlySssError(() => parseWith(Round1, { format: deepList }, 'f.json'))!;
    expect(e).toMatchObject({ file: 'f.json', field: 'format', reason: 'unknown format of the wrong type (a list)' });
    const long = onlySssError(() => parseWith(Round1, { format: longString }, 'f.json'))!;
    expect(long.reason).toBe(`unknown format "${'x'.repeat(80)}…"`);
    const key = onlySssError(() => parseWith(Round1, { [longKey]: 1 }, 'f.json'))!;
    expect(key.message.length).toBeLessThan(400);
  });

  it('a long record key is cut short in the field it names (regression: a 400 kB field)', () => {
    const approval = schemas.find(([s]) => s === JoinApproval)![1];
    const e = onlySssError(() =>
      parseWith(JoinApproval, { ...approval, maskCommitments: { [longKey]: h(64) } }, 'f.json'),
    )!;
    expect(e.field).toBe(`maskCommitments.${'k'.repeat(80)}…`);
  });
});
