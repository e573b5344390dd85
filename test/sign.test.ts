/** In-process threshold signing through the library API (what `import ... from 'sss-tool'` gives). */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { jwtVerify, decodeProtectedHeader } from 'jose';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  aggregate,
  assembleJwt,
  Cosigner,
  jwtSigningInput,
  openShare,
  SigningGroup,
  SssError,
  verifyShare,
  verifySignature,
  type SignCommitment,
  type SignShare,
} from '../src/index.js';
import { commitNonces, signShareWith } from '../src/crypto/sign.js';
import { commitmentsDigest, messageDigest, SIGN_FORMATS, checkCommitmentList } from '../src/artifacts/signing.js';
import { bytesToHex, encodeScalar, identifierFor, ORDER, decodeScalar } from '../src/crypto/suite.js';
import { saveShareFile } from '../src/local/share.js';
import { dealGroup, opensslVerifies, publicKeyObject, subsets } from './sign-fixtures.js';
import { cleanupTempDirs, PASSPHRASE, tempDir } from './helpers.js';

afterAll(() => cleanupTempDirs());

const text = (s: string) => new TextEncoder().encode(s);

/** Runs both rounds for a set of cosigners and aggregates. */
function signWith(cosigners: Cosigner[], message: Uint8Array, session = `s-${Math.random().toString(36).slice(2)}`) {
  const commitments = cosigners.map((c) => c.commit(session));
  const shares = cosigners.map((c) => c.signShare(session, message, commitments));
  return { commitments, shares, ...aggregate(cosigners[0].group, message, commitments, shares) };
}

function rejects(f: () => unknown, reason: RegExp, culprit?: string): SssError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an SssError').toBeInstanceOf(SssError);
  const e = err as SssError;
  expect(e.message).toMatch(reason);
  if (culprit !== undefined) expect(e.culprit).toBe(culprit);
  return e;
}

describe('threshold signing, 3-of-5', () => {
  const g = dealGroup(5, 3);
  const all = g.shares.map((s) => new Cosigner(s));

  it('every 3-subset signs; each signature verifies with node:crypto and each JWT with jose', async () => {
    const key = publicKeyObject(g.publicKey);
    const sets = subsets(5, 3);
    expect(sets).toHaveLength(10);
    for (const set of sets) {
      const signers = set.map((i) => all[i]);
      const raw = text(`raw message for ${set.join(',')}`);
      const r = signWith(signers, raw);
      expect(r.signature).toHaveLength(64);
      expect([...r.signers].sort()).toEqual(signers.map((c) => c.moniker).sort());
      expect(opensslVerifies(g.publicKey, raw, r.signature)).toBe(true);
      expect(verifySignature(g.publicKey, raw, bytesToHex(r.signature))).toBe(true);

      const claims = { sub: `machine-${set.join('')}`, iat: 1_700_000_000, set };
      const input = jwtSigningInput(claims, g.publicKey);
      const j = signWith(signers, input);
      expect(opensslVerifies(g.publicKey, input, j.signature)).toBe(true);
      const jwt = assembleJwt(input, j.signature);
      const { payload, protectedHeader } = await jwtVerify(jwt, key, { algorithms: ['EdDSA'] });
      expect(payload).toEqual(claims);
      expect(protectedHeader).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: g.publicKey });
    }
  });

  it('writes the JWT header with keys in the order alg, typ, kid', () => {
    const input = jwtSigningInput({ a: 1 }, g.publicKey);
    const header = Buffer.from(Buffer.from(input).toString('ascii').split('.')[0], 'base64url').toString('utf8');
    expect(header).toBe(`{"alg":"EdDSA","typ":"JWT","kid":"${g.publicKey}"}`);
    expect(decodeProtectedHeader(assembleJwt(input, new Uint8Array(64)))).toEqual({
      alg: 'EdDSA',
      typ: 'JWT',
      kid: g.publicKey,
    });
  });

  it('signs with more than M signers, and with all N', () => {
    for (const set of [all.slice(0, 4), all]) {
      const m = text('more signers');
      expect(opensslVerifies(g.publicKey, m, signWith(set, m).signature)).toBe(true);
    }
  });

  it('opens an age-encrypted share file once and signs with it', async () => {
    const home = tempDir();
    const paths = g.shares.slice(0, 3).map((s, i) => {
      const p = join(home, `h${i}`, 'trustserver_share.json.age');
      mkdirSync(join(home, `h${i}`));
      return { p, s };
    });
    for (const { p, s } of paths) await saveShareFile(p, s, PASSPHRASE);
    const cosigners = await Promise.all(paths.map(({ p }) => openShare(p, PASSPHRASE)));
    const m = text('from files');
    const r = signWith(cosigners, m);
    expect(opensslVerifies(g.publicKey, m, r.signature)).toBe(true);
    await expect(openShare(paths[0].p, 'wrong passphrase')).rejects.toThrow(/wrong passphrase/);
  });

  it('verifies each share on its own (verifyShare)', () => {
    const m = text('share by share');
    const r = signWith(all.slice(1, 4), m);
    for (const s of r.shares) expect(verifyShare(g, m, r.commitments, s)).toBe(true);
    expect(verifyShare(g, text('another message'), r.commitments, r.shares[0])).toBe(false);
    const bad = { ...r.shares[0], share: encodeScalar(decodeScalar(r.shares[0].share, 'share') + 1n) };
    expect(verifyShare(g, m, r.commitments, bad)).toBe(false);
  });

  it('never signs twice with one nonce', () => {
    const [a, b, c] = all;
    const m = text('once');
    const cs = [a, b, c].map((x) => x.commit('once'));
    a.signShare('once', m, cs);
    rejects(() => a.signShare('once', m, cs), /nonces of session "once" were already used/);
    rejects(() => a.signShare('once', text('other'), cs), /already used/);
    rejects(() => a.commit('once'), /already used/);
    expect(a.pendingSessions()).not.toContain('once');
  });

  it('refuses a reused nonce record, and one imported twice', () => {
    const [a, b, c] = all;
    const m = text('exported');
    const cs = [a, b, c].map((x) => x.commit('exp'));
    const record = a.exportNonces('exp');
    expect(a.pendingSessions()).not.toContain('exp');
    rejects(() => a.signShare('exp', m, cs), /no nonces for session "exp"/);
    const other = new Cosigner(g.shares[0]);
    expect(other.importNonces(record)).toEqual(cs[0]);
    rejects(() => other.importNonces(record), /already has nonces/);
    other.signShare('exp', m, cs);
    rejects(() => other.importNonces(record), /already used/);
    rejects(() => all[1].importNonces(record), /another signer/);
  });

  it('names the signer of a tampered share', () => {
    const [a, b, c] = all;
    const m = text('tamper');
    const cs = [a, b, c].map((x) => x.commit('tamper'));
    const shares = [a, b, c].map((x) => x.signShare('tamper', m, cs));
    const bad = { ...shares[1], share: encodeScalar(decodeScalar(shares[1].share, 'share') + 1n) };
    rejects(() => aggregate(g, m, cs, [shares[0], bad, shares[2]]), /invalid signature share/, b.moniker);
  });

  it('rejects any change to a share artifact (property)', () => {
    const [a, b, c] = all;
    const m = text('property');
    const cs = [a, b, c].map((x) => x.commit('prop'));
    const shares = [a, b, c].map((x) => x.signShare('prop', m, cs));
    const fields = ['share', 'messageDigest', 'commitmentsDigest', 'session', 'groupKey'] as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }),
        fc.constantFrom(...fields),
        fc.integer({ min: 0, max: 63 }),
        fc.integer({ min: 1, max: 15 }),
        (who, field, pos, delta) => {
          const s = shares[who];
          const v = s[field];
          const flipped =
            v.slice(0, pos % v.length) +
            ((parseInt(v[pos % v.length], 16) ^ delta) & 15).toString(16) +
            v.slice((pos % v.length) + 1);
          const t = shares.map((x, i) => (i === who ? { ...x, [field]: flipped } : x));
          expect(() => aggregate(g, m, cs, t)).toThrow(SssError);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses fewer than M signers', () => {
    const [a, b] = all;
    const m = text('two');
    const cs = [a, b].map((x) => x.commit('two'));
    rejects(() => a.signShare('two', m, cs), /only 2 signers in the commitment list; the group needs at least 3/);
    const c = all[2];
    const cs3 = [...cs, c.commit('two')];
    const shares = [a, b, c].map((x) => x.signShare('two', m, cs3));
    rejects(() => aggregate(g, m, cs3.slice(0, 2), shares.slice(0, 2)), /the group needs at least 3/);
  });

  it('refuses a commitment list without its own commitment, or with a changed one', () => {
    const [a, b, c, d] = all;
    const m = text('own');
    const cs = [a, b, c, d].map((x) => x.commit('own'));
    rejects(() => a.signShare('own', m, cs.slice(1)), /lacks this signer's commitment \(p0\)/);
    const swapped = [{ ...cs[0], hiding: cs[1].hiding }, cs[1], cs[2]];
    rejects(() => a.signShare('own', m, swapped), /different commitment for this signer/);
    // Neither refusal used the nonces.
    expect(a.signShare('own', m, cs.slice(0, 3)).format).toBe(SIGN_FORMATS.share);
  });

  it('names the signer who was given a different message', () => {
    const [a, b, c] = all;
    const cs = [a, b, c].map((x) => x.commit('msg'));
    const m = text('the message');
    const shares = [
      a.signShare('msg', text('another message'), cs),
      b.signShare('msg', m, cs),
      c.signShare('msg', m, cs),
    ];
    rejects(() => aggregate(g, m, cs, shares), /share signs a different message/, a.moniker);
    rejects(() => aggregate(g, text('a third one'), cs, shares), /no share signs this message/);
  });

  it('refuses commitments from a different session', () => {
    const [a, b, c] = all;
    const m = text('sessions');
    const cs = [a.commit('s1'), b.commit('s1'), c.commit('s2')];
    rejects(() => a.signShare('s1', m, cs), /commitment is for session "s2", not "s1"/, c.moniker);
    const cs1 = [...cs.slice(0, 2), c.commit('s1')];
    const shares = [a, b, c].map((x) => x.signShare('s1', m, cs1));
    rejects(() => aggregate(g, m, [...cs1.slice(0, 2), cs[2]], shares), /session "s2", not "s1"/, c.moniker);
  });

  it('names a non-holder whose share cannot verify', () => {
    const [a, b] = all;
    const m = text('mallory');
    const mallory = 'mallory';
    const id = identifierFor(mallory);
    const fake = new Uint8Array(Buffer.from(encodeScalar(123456789n), 'hex'));
    // A forged share file does not even open: its share is not on the group polynomial.
    expect(
      () =>
        new Cosigner({
          ...g.shares[0],
          moniker: mallory,
          identifier: id,
          signingShare: bytesToHex(fake),
          verifyingShare: g.shares[0].verifyingShare,
        }),
    ).toThrow(SssError);
    const round1 = commitNonces(id, fake);
    const mc: SignCommitment = {
      format: SIGN_FORMATS.commitment,
      session: 'mal',
      moniker: mallory,
      identifier: id,
      groupKey: g.publicKey,
      hiding: round1.commitment.hiding,
      binding: round1.commitment.binding,
    };
    const cs = [a.commit('mal'), b.commit('mal'), mc];
    const honest = [a, b].map((x) => x.signShare('mal', m, cs));
    const group = SigningGroup.of(g);
    const sorted = checkCommitmentList(cs, group);
    const ms: SignShare = {
      format: SIGN_FORMATS.share,
      session: 'mal',
      moniker: mallory,
      identifier: id,
      groupKey: g.publicKey,
      messageDigest: messageDigest(m),
      commitmentsDigest: commitmentsDigest(sorted),
      share: bytesToHex(
        signShareWith(
          group,
          id,
          fake,
          round1.nonces,
          sorted.map(({ identifier, hiding, binding }) => ({ identifier, hiding, binding })),
          m,
        ),
      ),
    };
    rejects(() => aggregate(g, m, cs, [...honest, ms]), /invalid signature share/, mallory);
  });

  it('refuses an artifact whose identifier is not derived from its moniker', () => {
    const [a, b, c] = all;
    const cs = [a, b, c].map((x) => x.commit('names'));
    const lying = { ...cs[1], moniker: 'p4' };
    rejects(() => a.signShare('names', text('x'), [cs[0], lying, cs[2]]), /not the one derived from the moniker/, 'p4');
  });

  it('refuses unknown fields and malformed points', () => {
    const [a, b, c] = all;
    const cs = [a, b, c].map((x) => x.commit('strict'));
    rejects(() => a.signShare('strict', text('x'), [cs[0], { ...cs[1], extra: 1 }, cs[2]]), /unknown field "extra"/);
    rejects(() => a.signShare('strict', text('x'), [cs[0], { ...cs[1], hiding: '00'.repeat(32) }, cs[2]]), /hiding/);
    rejects(
      () => a.signShare('strict', text('x'), [cs[0], { ...cs[1], binding: encodeScalar(ORDER - 1n) }, cs[2]]),
      /binding/,
    );
  });

  it('bounds the sessions waiting for round 2, discarding the oldest', () => {
    const c = new Cosigner(g.shares[0], { maxPending: 2 });
    c.commit('x1');
    c.commit('x2');
    c.commit('x3');
    expect(c.pendingSessions()).toEqual(['x2', 'x3']);
    rejects(() => c.signShare('x1', text('m'), []), /already used/);
    expect(c.discard('x2')).toBe(true);
    expect(c.pendingSessions()).toEqual(['x3']);
  });

  it('keeps secrets out of what a cosigner shows', () => {
    const c = new Cosigner(g.shares[0]);
    c.commit('hidden');
    const shown = JSON.stringify(c) + inspect(c, { depth: 10, showHidden: true });
    expect(shown).not.toContain(g.shares[0].signingShare);
    expect(Object.keys(c).sort()).toEqual(['group', 'groupKey', 'identifier', 'moniker', 'threshold']);
  });
});

describe('threshold signing, 11-of-16', () => {
  it('signs and verifies', () => {
    const g = dealGroup(16, 11, 'q');
    const cosigners = g.shares.slice(3, 14).map((s) => new Cosigner(s));
    const m = text('eleven');
    expect(opensslVerifies(g.publicKey, m, signWith(cosigners, m).signature)).toBe(true);
  });
});
