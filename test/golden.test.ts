/**
 * The golden transcript (test/golden/README.md): a committed 2-of-3 genesis, one join and two
 * signatures, made by the real CLI with seeded randomness. Every run re-verifies it, pins its
 * digests, keys and signatures as literals, and regenerates the genesis and the join to the same
 * bytes, so a change to any format or derivation fails here, loudly, even when the code that
 * produces and the code that checks changed together.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { jwtVerify } from 'jose';
import { aggregate, verifySignature } from '../src/index.js';
import { digest, jcs, signingInput } from '../src/artifacts/canonical.js';
import { privateMaterial } from '../src/artifacts/private.js';
import { FRAGMENT_LABEL, MASK_LABEL, pairMask } from '../src/crypto/join.js';
import { hpkeInfo } from '../src/crypto/hpke.js';
import { ORDER, identifierFor } from '../src/crypto/suite.js';
import { auditRepository } from '../src/ceremony/repository.js';
import { PUBLIC_FILES, publicInfoFiles } from '../src/ceremony/publish.js';
import { ROOT, cleanupTempDirs, ok, tempDir } from './helpers.js';
import { CLAIMS, MESSAGE, makeGolden } from './golden/make.mjs';

const GOLDEN = join(ROOT, 'test', 'golden', 'transcript');

/** The pinned values. A deliberate format change updates them (test/golden/README.md says how). */
const PINNED = {
  groupKey: 'c70b151828d47ec1e7fdddabfb0c70e367b43d93896f5ec9bd802365aaa89d2e',
  genesis: {
    round1: '6192f3a3d98142707dfe58ac87775252cdc8cd94d1382e2f9d893f068a9feeca',
    round2: 'd122b95c3fed1371394c1aed1e0e7b6fb17e2f3b0874afbcae329e19808dd996',
  },
  join: {
    request: '6a99857469b572fb2925d830b6d885959a7d4125653ab66cae1446fbccea63f6',
    approvals: '2a32a8e1be544fa34994b3b5734a7269bf15ec1331e1153ab2db1df119440af6',
    /** The join manifest's groupDigest: SHA-256 of the canonical group package after the genesis. */
    groupDigest: '807fc2b61067c61b274359c638438aede194b138f8792360f3e032c9934b3a54',
  },
  /** SHA-256 of the canonical group package after the join (public_info/group.json). */
  groupAfterJoin: 'c47066a25629b5fe91b75c2a9ee33786b21b9c182bacf930baadfb5082844d9b',
  newcomerVerifyingShare: '6c7c1958bb6222cb85c01f2609e5cb1b34c2e5d9e73c546d7732380f662a0300',
  signature:
    'e55fd4460e7957eb5e98ede34eb516a0ba3e2529510c453596188cf0b08e870e662418c76de0d0b4baae0e9c7e0e89280c9075e0dadd180fe36cc2132cd82b00',
  commitmentsDigest: '1f5bb6f6a39cb28785d8f28889821955365ec37a533c4bba18ae4a005c8a0155',
  jwtSignature: 'j9JRftj0Rl5R1Od4SHtvwQIAheRk6MqmxqPy4j76EHhzGB9MJHVtAhRiQHynldokcPbtdHJpurXCaUocnetpDA',
};

/** Every file under a directory, as paths relative to it, sorted. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

const read = (...p: string[]) => readFileSync(join(GOLDEN, ...p), 'utf8');
const json = (...p: string[]) => JSON.parse(read(...p));
const sha256 = (b: string | Uint8Array) => createHash('sha256').update(b).digest('hex');
const verifyJson = (ceremony: string) =>
  JSON.parse(ok(['verify', '--ceremony', ceremony, '--require-complete', '--json', '--repo', GOLDEN]).stdout);

afterAll(cleanupTempDirs);

describe('the committed golden transcript', () => {
  it('holds exactly the public files of the ceremony, and nothing private', () => {
    const files = filesUnder(GOLDEN);
    expect(files).toEqual(
      [
        'ceremonies/genesis/ceremony.json',
        ...['alice', 'bob', 'carol']
          .flatMap((m) => ['finalize', 'round1', 'round2'].map((r) => `ceremonies/genesis/${r}/${m}.json`))
          .sort(),
        'ceremonies/join-dave/approvals/alice.json',
        'ceremonies/join-dave/approvals/bob.json',
        'ceremonies/join-dave/ceremony.json',
        'ceremonies/join-dave/finalize.json',
        'ceremonies/join-dave/request.json',
        'public_info/group.json',
        'public_info/peers_list.txt',
        'public_info/public_key.txt',
        'signing/claims.json',
        'signing/jwt.txt',
        'signing/jwt/commitments/bob.json',
        'signing/jwt/commitments/dave.json',
        'signing/jwt/shares/bob.json',
        'signing/jwt/shares/dave.json',
        'signing/message.txt',
        'signing/message/commitments/alice.json',
        'signing/message/commitments/dave.json',
        'signing/message/shares/alice.json',
        'signing/message/shares/dave.json',
        'signing/signature.txt',
      ].sort(),
    );
    for (const f of files) expect(privateMaterial(readFileSync(join(GOLDEN, f))), f).toBeUndefined();
  });

  it('passes `sss-tool verify` and `publish --check`, with the pinned digests', () => {
    const genesis = verifyJson('genesis');
    expect(genesis).toMatchObject({ valid: true, phase: 'complete', digests: PINNED.genesis });
    const joined = verifyJson('join-dave');
    expect(joined).toMatchObject({
      valid: true,
      phase: 'complete',
      digests: { request: PINNED.join.request, approvals: PINNED.join.approvals },
    });
    ok(['publish', '--check', '--ceremony', 'join-dave', '--repo', GOLDEN]);
  });

  it('yields, through the library, the committed public_info/ byte for byte', () => {
    const state = auditRepository(join(GOLDEN, 'ceremonies'), GOLDEN);
    expect(state.errors).toEqual([]);
    for (const r of state.reports.values()) expect(r.errors, r.ceremony).toEqual([]);
    expect(state.reports.get('genesis')?.digests).toEqual(PINNED.genesis);
    const files = publicInfoFiles(state.group!);
    for (const f of PUBLIC_FILES) expect(files[f], f).toBe(read('public_info', f));
    expect(state.group!.publicKey).toBe(PINNED.groupKey);
    expect(digest(state.group)).toBe(PINNED.groupAfterJoin);
    expect(state.group!.participants.find((p) => p.moniker === 'dave')?.verifyingShare).toBe(
      PINNED.newcomerVerifyingShare,
    );
    // The genesis state the join extends is pinned by its manifest's groupDigest.
    expect(json('ceremonies', 'join-dave', 'ceremony.json').groupDigest).toBe(PINNED.join.groupDigest);
  });

  it('signatures: the library aggregates the committed shares into the pinned signature, and outside verifiers accept it', async () => {
    const group = json('public_info', 'group.json');
    const message = new TextEncoder().encode(MESSAGE);
    expect(read('signing', 'message.txt')).toBe(MESSAGE);
    const dir = (...p: string[]) => ['alice', 'dave'].map((m) => json('signing', 'message', ...p, `${m}.json`));
    const { signature } = aggregate(group, message, dir('commitments'), dir('shares'));
    expect(Buffer.from(signature).toString('hex')).toBe(PINNED.signature);
    expect(read('signing', 'signature.txt')).toBe(PINNED.signature + '\n');
    expect(dir('shares').map((s) => s.commitmentsDigest)).toEqual([PINNED.commitmentsDigest, PINNED.commitmentsDigest]);
    expect(verifySignature(PINNED.groupKey, message, signature)).toBe(true);
    ok([
      'verify-signature',
      '--signature',
      PINNED.signature,
      '--message-file',
      join(GOLDEN, 'signing', 'message.txt'),
      '--repo',
      GOLDEN,
    ]);

    const jwt = read('signing', 'jwt.txt').trim();
    expect(jwt.split('.')[2]).toBe(PINNED.jwtSignature);
    const key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(PINNED.groupKey, 'hex').toString('base64url') },
      format: 'jwk',
    });
    const { payload, protectedHeader } = await jwtVerify(jwt, key);
    expect(payload).toEqual(JSON.parse(CLAIMS));
    expect(protectedHeader).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: PINNED.groupKey });
  });
});

/**
 * The derivations as docs/protocol.md states them, recomputed here from the spec's words with
 * node:crypto (not with the code under test) and compared with the code and the transcript.
 */
describe('derivations, from the spec', () => {
  const round1 = ['alice', 'bob', 'carol'].map((m) => json('ceremonies', 'genesis', 'round1', `${m}.json`));
  const le = (b: Uint8Array) => [...b].reverse().reduce((n, x) => (n << 8n) | BigInt(x), 0n);

  it('an artifact signature covers "sss-tool/v1 artifact\\n" || JCS(artifact without signature)', () => {
    const { signature: _s, ...rest } = round1[0];
    const expected = Buffer.concat([Buffer.from('sss-tool/v1 artifact\n'), Buffer.from(jcs(rest))]);
    expect(Buffer.from(signingInput(round1[0])).equals(expected)).toBe(true);
    const key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(round1[0].signingKey, 'hex').toString('base64url') },
      format: 'jwk',
    });
    expect(cryptoVerify(null, expected, key, Buffer.from(round1[0].signature, 'hex'))).toBe(true);
  });

  it('the round-1 digest is SHA-256 of the canonical JSON list of round-1 artifacts sorted by identifier', () => {
    const sorted = [...round1].sort((a, b) =>
      le(Buffer.from(a.identifier, 'hex')) < le(Buffer.from(b.identifier, 'hex')) ? -1 : 1,
    );
    expect(sha256(jcs(sorted))).toBe(PINNED.genesis.round1);
    expect(json('ceremonies', 'genesis', 'round2', 'bob.json').round1Digest).toBe(PINNED.genesis.round1);
  });

  it('an identifier is SHA-512("FROST-ED25519-SHA512-v1id" || moniker) mod L, 32 bytes little-endian', () => {
    for (const a of round1) {
      const n = le(createHash('sha512').update(`FROST-ED25519-SHA512-v1id${a.moniker}`).digest()) % ORDER;
      const bytes = Buffer.alloc(32);
      for (let i = 0, v = n; i < 32; i++, v >>= 8n) bytes[i] = Number(v & 0xffn);
      expect(a.identifier).toBe(bytes.toString('hex'));
      expect(identifierFor(a.moniker)).toBe(a.identifier);
    }
  });

  it('the HPKE info is label || ceremony || sender identifier || recipient identifier', () => {
    const [a, b] = round1;
    const expected = Buffer.concat([
      Buffer.from('sss-tool/v1 dkg-share'),
      Buffer.from('genesis'),
      Buffer.from(a.identifier, 'hex'),
      Buffer.from(b.identifier, 'hex'),
    ]);
    expect(FRAGMENT_LABEL).toBe('sss-tool/v1 join-fragment');
    expect(Buffer.from(hpkeInfo('sss-tool/v1 dkg-share', 'genesis', a.identifier, b.identifier)).equals(expected)).toBe(
      true,
    );
  });

  it('the join pair mask is SHA-512(label || ceremony || request digest || x_lo || x_hi || X25519 secret) mod L, little-endian', () => {
    const shared = Buffer.alloc(32, 7);
    const [lo, hi] = [round1[2].identifier, round1[0].identifier];
    const h = createHash('sha512')
      .update(
        Buffer.concat([
          Buffer.from('sss-tool/v1 join-mask'),
          Buffer.from('join-dave'),
          Buffer.from(PINNED.join.request, 'hex'),
          Buffer.from(lo, 'hex'),
          Buffer.from(hi, 'hex'),
          shared,
        ]),
      )
      .digest();
    expect(MASK_LABEL).toBe('sss-tool/v1 join-mask');
    expect(pairMask('join-dave', PINNED.join.request, lo, hi, shared)).toBe(le(h) % ORDER);
  });
});

describe('regeneration', () => {
  let fresh: string;
  beforeAll(() => {
    fresh = join(tempDir('sss-golden-'), 'transcript');
    // The genesis and the join (18 commands): the signing sessions are left out for time; their
    // committed artifacts are re-aggregated and pinned above.
    makeGolden(fresh, { until: 'join' });
  }, 300_000);

  it('the same seed makes the genesis, the join and public_info/ byte for byte again', () => {
    const made = filesUnder(fresh);
    expect(made).toEqual(filesUnder(GOLDEN).filter((f) => !f.startsWith('signing/')));
    for (const f of made) expect(readFileSync(join(fresh, f), 'utf8'), f).toBe(read(f));
  });
});
