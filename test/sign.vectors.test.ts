/**
 * RFC 9591 Appendix E.1, FROST(Ed25519, SHA-512), through the functions the Cosigner calls
 * (commitNonces with the RFC's nonce randomness, signShareWith, verifyShareWith, aggregateShares),
 * and the suite checked against noble's `ed25519_FROST`, which it must equal byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { ed25519, ed25519_FROST } from '@noble/curves/ed25519.js';
import {
  aggregateShares,
  checkElement,
  commitNonces,
  signShareWith,
  SigningGroup,
  suite,
  verifyShareWith,
  verifyEd25519,
} from '../src/crypto/sign.js';
import { bytesToHex, decodeScalar, encodePoint, hexToBytes, Point } from '../src/crypto/suite.js';
import { dealGroup } from './sign-fixtures.js';

// RFC 9591, Appendix E.1 (identical to frost-rs frost-ed25519/tests/helpers/vectors.json).
const RFC = {
  config: { MAX_PARTICIPANTS: 3, NUM_PARTICIPANTS: 2, MIN_PARTICIPANTS: 2 },
  inputs: {
    participant_list: [1, 3],
    group_secret_key: '7b1c33d3f5291d85de664833beb1ad469f7fb6025a0ec78b3a790c6e13a98304',
    group_public_key: '15d21ccd7ee42959562fc8aa63224c8851fb3ec85a3faf66040d380fb9738673',
    message: '74657374',
    share_polynomial_coefficients: ['178199860edd8c62f5212ee91eff1295d0d670ab4ed4506866bae57e7030b204'],
    participant_shares: [
      { identifier: 1, participant_share: '929dcc590407aae7d388761cddb0c0db6f5627aea8e217f4a033f2ec83d93509' },
      { identifier: 2, participant_share: 'a91e66e012e4364ac9aaa405fcafd370402d9859f7b6685c07eed76bf409e80d' },
      { identifier: 3, participant_share: 'd3cb090a075eb154e82fdb4b3cb507f110040905468bb9c46da8bdea643a9a02' },
    ],
  },
  round_one_outputs: [
    {
      identifier: 1,
      hiding_nonce_randomness: '06894e04ee4aceec8619d5f6a0a180e2f47194d2ac306cba586b555e7c48d765',
      binding_nonce_randomness: '40d6f879ff22e22409f7d808fed81f37118e7d3e4af71c0f44c60207553bcbce',
      hiding_nonce: 'ef6599dea4010581a72b3018c37c29a4341d7cab0773e8687ca74dcf14009701',
      binding_nonce: '2baadfa0c69aa60d517ad4751de372a73f9d89cfc39026601f18458cdec12605',
      hiding_nonce_commitment: '9b116f12589591a7e23fe8048059ab10ab48e67739e7a2fb3890f61a7999478c',
      binding_nonce_commitment: 'c39b66b7dfccb122da24f13587f9a08c4347cae70046ca15169adf90ba65854d',
      binding_factor: 'ff960a65374e216a0918729b153466016664fa980d409bc3f308daa7acb30d0d',
    },
    {
      identifier: 3,
      hiding_nonce_randomness: 'fa5d950626782aade9e33fa781376d4888c2d1de7c37518bc248eb818ed0cdde',
      binding_nonce_randomness: '7459a4d14ded0e365b085271be8dc6600d5b88f3978a2174297ffa32001a5afc',
      hiding_nonce: '80f8d9a4b8f9366e1a0b618107c907cd3ee29fa9bb40b4691cc1bde696240005',
      binding_nonce: '2610b664a5a187b4855e87d2ff485bebdf043dc2f161fcd4854cd01dc0276404',
      hiding_nonce_commitment: 'e679a2a971748ccfaabead4dbe8ac1def61275c186c79d471e1e45091ad1e687',
      binding_nonce_commitment: 'b2a942478453fabb6bd3181c56ba657413447b4136e1daea2484d396d1a516b3',
      binding_factor: '279d48ec56f16d234c09ea62f3d02ab776ee38e03f66b20f939f1316e13df10f',
    },
  ],
  round_two_outputs: [
    { identifier: 1, sig_share: '60997f0142e43e8005027fe5ab7447dac00d22c2d7ddd9571a02613ba7d81c08' },
    { identifier: 3, sig_share: '79390e78bc59699c7af831f8f5fb478ec871a85f561a8641b5670ac4443f720f' },
  ],
  final_output: {
    sig: '154fb694ee7fcb37bf2381d94488c2a84b03b3352ad085feca81ad26d45852b7ecfe971ce4da95c4a95db93ac376b053897fca212ef85f99cf696bffeb178f07',
  },
};

/** An rng that returns the given byte strings in order (the RFC's nonce randomness). */
function replay(...hex: string[]) {
  const queue = hex.map(hexToBytes);
  return (n?: number) => {
    const next = queue.shift();
    if (!next || next.length !== n) throw new Error('unexpected randomness request');
    return next;
  };
}

describe('RFC 9591 FROST(Ed25519, SHA-512) vectors through our wrappers', () => {
  const ident = (n: number) => suite.Identifier.fromNumber(n);
  const sk = decodeScalar(RFC.inputs.group_secret_key, 'group_secret_key');
  const a1 = decodeScalar(RFC.inputs.share_polynomial_coefficients[0], 'a1');
  const group = SigningGroup.of({
    publicKey: RFC.inputs.group_public_key,
    threshold: RFC.config.MIN_PARTICIPANTS,
    commitment: [encodePoint(Point.BASE.multiply(sk)), encodePoint(Point.BASE.multiply(a1))],
  });
  const message = hexToBytes(RFC.inputs.message);
  const shareOf = (n: number) =>
    hexToBytes(RFC.inputs.participant_shares.find((s) => s.identifier === n)!.participant_share);

  it("derives every participant's verifying share from the group commitment", () => {
    expect(group.commitment[0]).toBe(RFC.inputs.group_public_key);
    for (const s of RFC.inputs.participant_shares)
      expect(bytesToHex(group.verifyingShare(ident(s.identifier)))).toBe(
        encodePoint(Point.BASE.multiply(decodeScalar(s.participant_share, 'share'))),
      );
  });

  it('reproduces round one, round two and the signature', () => {
    const round1 = RFC.round_one_outputs.map((o) => ({
      o,
      ...commitNonces(
        ident(o.identifier),
        shareOf(o.identifier),
        replay(o.hiding_nonce_randomness, o.binding_nonce_randomness),
      ),
    }));
    for (const { o, nonces, commitment } of round1) {
      expect(bytesToHex(nonces.hiding)).toBe(o.hiding_nonce);
      expect(bytesToHex(nonces.binding)).toBe(o.binding_nonce);
      expect(commitment).toEqual({
        identifier: ident(o.identifier),
        hiding: o.hiding_nonce_commitment,
        binding: o.binding_nonce_commitment,
      });
    }
    const list = round1.map((r) => r.commitment);
    const shares: Record<string, Uint8Array> = {};
    for (const { o, nonces } of round1) {
      const share = signShareWith(group, ident(o.identifier), shareOf(o.identifier), nonces, list, message);
      expect(bytesToHex(share)).toBe(RFC.round_two_outputs.find((r) => r.identifier === o.identifier)!.sig_share);
      expect(verifyShareWith(group, list, message, ident(o.identifier), share)).toBe(true);
      shares[ident(o.identifier)] = share;
      // The nonces were consumed: noble zeroed them.
      expect(nonces.hiding.every((b) => b === 0)).toBe(true);
    }
    const r = aggregateShares(group, list, message, shares);
    expect(r.ok && bytesToHex(r.signature)).toBe(RFC.final_output.sig);
    expect(verifyEd25519(hexToBytes(RFC.inputs.group_public_key), message, hexToBytes(RFC.final_output.sig))).toBe(
      true,
    );
  });

  it('refuses to sign again with consumed nonces', () => {
    const o = RFC.round_one_outputs[0];
    const { nonces, commitment } = commitNonces(
      ident(1),
      shareOf(1),
      replay(o.hiding_nonce_randomness, o.binding_nonce_randomness),
    );
    const other = commitNonces(ident(3), shareOf(3)).commitment;
    signShareWith(group, ident(1), shareOf(1), nonces, [commitment, other], message);
    expect(() => signShareWith(group, ident(1), shareOf(1), nonces, [commitment, other], message)).toThrow(
      /nonces already used/,
    );
  });

  it('names the signer whose share is wrong', () => {
    const list = RFC.round_one_outputs.map((o) => ({
      identifier: ident(o.identifier),
      hiding: o.hiding_nonce_commitment,
      binding: o.binding_nonce_commitment,
    }));
    const shares = Object.fromEntries(RFC.round_two_outputs.map((r) => [ident(r.identifier), hexToBytes(r.sig_share)]));
    shares[ident(3)] = hexToBytes(RFC.round_two_outputs[0].sig_share);
    expect(aggregateShares(group, list, message, shares)).toEqual({ ok: false, invalid: [ident(3)] });
  });
});

describe('the signing suite equals ed25519_FROST', () => {
  it('commits, signs and aggregates byte-identically', () => {
    const g = dealGroup(5, 3, 'eq');
    const group = SigningGroup.of(g);
    for (let round = 0; round < 5; round++) {
      const signers = g.shares.slice(round % 3, (round % 3) + 3);
      const seed = Array.from({ length: signers.length * 2 }, () => bytesToHex(ed25519.utils.randomSecretKey()));
      const message = ed25519.utils.randomSecretKey();
      const ours = signers.map((s, i) =>
        commitNonces(s.identifier, hexToBytes(s.signingShare), replay(seed[2 * i], seed[2 * i + 1])),
      );
      const theirs = signers.map((s, i) =>
        ed25519_FROST.commit(
          { identifier: s.identifier, signingShare: hexToBytes(s.signingShare) },
          replay(seed[2 * i], seed[2 * i + 1]),
        ),
      );
      const list = ours.map((o) => o.commitment);
      const nobleList = theirs.map((t) => t.commitments);
      expect(
        nobleList.map((c) => ({
          identifier: c.identifier,
          hiding: bytesToHex(c.hiding),
          binding: bytesToHex(c.binding),
        })),
      ).toEqual(list);
      const pub = group.frostPublic(signers.map((s) => s.identifier));
      const a: Record<string, Uint8Array> = {};
      const b: Record<string, Uint8Array> = {};
      signers.forEach((s, i) => {
        a[s.identifier] = signShareWith(group, s.identifier, hexToBytes(s.signingShare), ours[i].nonces, list, message);
        b[s.identifier] = ed25519_FROST.signShare(
          { identifier: s.identifier, signingShare: hexToBytes(s.signingShare) },
          pub,
          theirs[i].nonces,
          nobleList,
          message,
        );
        expect(bytesToHex(a[s.identifier])).toBe(bytesToHex(b[s.identifier]));
      });
      const r = aggregateShares(group, list, message, a);
      expect(r.ok && bytesToHex(r.signature)).toBe(bytesToHex(ed25519_FROST.aggregate(pub, nobleList, message, b)));
    }
  });

  it('rejects a point outside the prime-order subgroup, every time it is seen', () => {
    // A point of order 8 added to a valid point: on the curve, not small order, not in the subgroup.
    const torsion = Point.fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05');
    expect(torsion.isSmallOrder()).toBe(true);
    const dirty = encodePoint(Point.BASE.multiply(123456789n).add(torsion));
    expect(() => checkElement(dirty, 'hiding')).toThrow(/prime-order subgroup/);
    expect(() => checkElement(dirty, 'hiding')).toThrow(/prime-order subgroup/);
    const g = dealGroup(3, 2, 'tor');
    const group = SigningGroup.of(g);
    const [x, y] = g.shares.map((s) => commitNonces(s.identifier, hexToBytes(s.signingShare)));
    const bad = { ...y.commitment, hiding: dirty };
    expect(() =>
      signShareWith(
        group,
        g.shares[0].identifier,
        hexToBytes(g.shares[0].signingShare),
        x.nonces,
        [x.commitment, bad],
        new Uint8Array(1),
      ),
    ).toThrow(/prime-order subgroup/);
  });
});
