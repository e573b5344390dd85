/**
 * The public audit of a join (auditJoin): phases, the group after, and every rejection of issue 4
 * with the culprit and the reason named.
 */
import { describe, expect, it } from 'vitest';
import { x25519 } from '@noble/curves/ed25519.js';
import { digest } from '../src/artifacts/canonical.js';
import { JoinFinalize, JoinRequest } from '../src/artifacts/join.js';
import { auditJoin } from '../src/ceremony/join.js';
import { joinApproval, joinRequest, openFragments } from '../src/ceremony/join-steps.js';
import {
  Fn,
  Point,
  bytesToHex,
  compareIdentifiers,
  decodePoint,
  encodePoint,
  hexToBytes,
} from '../src/crypto/suite.js';
import { seal, hpkeInfo } from '../src/crypto/hpke.js';
import { FRAGMENT_LABEL, decodeMaskCommitment, encodeMaskCommitment } from '../src/crypto/join.js';
import { SssError } from '../src/errors.js';
import { dealGroup, finalizeJoin, makeJoin, person, putApproval, resign } from './join-fixture.js';

const FIVE = ['alice', 'bob', 'carol', 'dave', 'erin'];

function errorsOf(a: { errors: SssError[] }) {
  return a.errors.map((e) => ({ culprit: e.culprit, reason: e.reason, field: e.field, file: e.file }));
}

describe('auditJoin', () => {
  it('follows the ceremony: request, approvals, finalize, complete; the key and commitment stay', async () => {
    const g = dealGroup(FIVE, 3);
    const j = await makeJoin(g, 'frank', ['alice', 'bob', 'carol']);
    const approvals = j.files.byRole.get('approvals')!;
    const bob = approvals.get('bob')!;
    approvals.delete('bob');
    let a = auditJoin(j.files, g.group);
    expect(errorsOf(a)).toEqual([]);
    expect(a.phase).toBe('approvals');
    expect(a.awaiting).toBe('approvals from bob (2 of 3 received)');
    expect(a.rows.find((r) => r.moniker === 'bob')!.steps.approval).toBe('awaited');
    expect(a.rows[0]).toMatchObject({ moniker: 'frank', steps: { request: 'done', finalize: '-' } });
    approvals.set('bob', bob);
    a = auditJoin(j.files, g.group);
    expect(a.phase).toBe('finalize');
    expect(a.awaiting).toBe('finalize.json from frank');
    const { verifyingShare } = await finalizeJoin(j, g.group);
    a = auditJoin(j.files, g.group);
    expect(errorsOf(a)).toEqual([]);
    expect(a.phase).toBe('complete');
    const after = a.group!;
    expect(after.publicKey).toBe(g.group.publicKey);
    expect(after.commitment).toEqual(g.group.commitment);
    expect(after.participants.map((p) => p.moniker)).toEqual(['alice', 'bob', 'carol', 'dave', 'erin', 'frank']);
    expect(after.participants.find((p) => p.moniker === 'frank')).toMatchObject({
      verifyingShare,
      ceremony: 'join-frank',
      encryptionKey: j.newcomer.encryptionKey,
    });
    expect(after.ceremonies).toEqual([
      { id: 'genesis', kind: 'dkg' },
      { id: 'join-frank', kind: 'join' },
    ]);
  });

  it('a later join extends the group left by an earlier one, and may name its newcomer as an approver', async () => {
    const g = dealGroup(FIVE, 3);
    const first = await makeJoin(g, 'frank', ['alice', 'bob', 'carol']);
    const { signingShare } = await finalizeJoin(first, g.group);
    const after = auditJoin(first.files, g.group).group!;
    const frank = { ...first.newcomer, share: signingShare };
    const g2 = { ...g, group: after, people: new Map([...g.people, ['frank', frank]]) };
    const second = await makeJoin(g2, 'grace', ['frank', 'dave', 'erin']);
    await finalizeJoin(second, after);
    const a = auditJoin(second.files, after);
    expect(errorsOf(a)).toEqual([]);
    expect(a.group!.participants).toHaveLength(7);
    expect(a.group!.publicKey).toBe(g.group.publicKey);
    // Against the genesis state it is stale; with no group at all it waits.
    expect(auditJoin(second.files, g.group).phase).toBe('setup');
    expect(auditJoin(second.files, undefined)).toMatchObject({ phase: 'setup', errors: [] });
    expect(auditJoin(first.files, after).errors[0].reason).toMatch(/group has grown since/);
  });

  it('rejects an approver whose fragment commitment does not match its weighted share and masks', async () => {
    const g = dealGroup(FIVE, 3);
    const j = await makeJoin(g, 'frank', ['alice', 'bob', 'carol']);
    const bob = j.approvals.get('bob')!;
    putApproval(
      j.files,
      'bob',
      resign({ ...bob, fragmentCommitment: encodePoint(Point.BASE.multiply(12345n)) }, g.people.get('bob')!),
    );
    const a = auditJoin(j.files, g.group);
    expect(errorsOf(a)).toContainEqual(
      expect.objectContaining({
        culprit: 'bob',
        field: 'fragmentCommitment',
        reason: expect.stringMatching(/S_i differs from λ_i·Y_i/),
      }),
    );
    expect(a.phase).toBe('invalid');
  });

  it('the newcomer names an approver whose encrypted fragment does not match its public commitment', async () => {
    const g = dealGroup(FIVE, 3);
    const j = await makeJoin(g, 'frank', ['alice', 'bob', 'carol']);
    const carol = j.approvals.get('carol')!;
    const request = j.files.singles.get('request')!.value as JoinRequest;
    // Carol publishes an honest S_i but encrypts another value: only the newcomer can see it.
    const sealed = await seal(
      hexToBytes(request.joinKey),
      hpkeInfo(FRAGMENT_LABEL, j.ceremony, carol.identifier, request.identifier),
      Fn.toBytes(777n),
    );
    putApproval(
      j.files,
      'carol',
      resign(
        { ...carol, fragment: { enc: bytesToHex(sealed.enc), ciphertext: bytesToHex(sealed.ciphertext) } },
        g.people.get('carol')!,
      ),
    );
    const a = auditJoin(j.files, g.group);
    expect(a.phase).toBe('finalize');
    const e = await openFragments(a, j.joinSecret).catch((x) => x);
    expect(e).toBeInstanceOf(SssError);
    expect(e.culprit).toBe('carol');
    expect(e.reason).toMatch(/does not match its public commitment/);
    // A fragment encrypted to another key does not decrypt, and is named too.
    const other = await seal(
      x25519.getPublicKey(x25519.utils.randomSecretKey()),
      hpkeInfo(FRAGMENT_LABEL, j.ceremony, carol.identifier, request.identifier),
      Fn.toBytes(1n),
    );
    putApproval(
      j.files,
      'carol',
      resign(
        { ...carol, fragment: { enc: bytesToHex(other.enc), ciphertext: bytesToHex(other.ciphertext) } },
        g.people.get('carol')!,
      ),
    );
    const e2 = await openFragments(auditJoin(j.files, g.group), j.joinSecret).catch((x) => x);
    expect([e2.culprit, e2.reason]).toEqual(['carol', 'the fragment addressed to you does not decrypt']);
  });

  it('names both approvers of a pair that publish different mask commitments', async () => {
    const g = dealGroup(FIVE, 3);
    const H = ['alice', 'bob', 'carol'];
    const j = await makeJoin(g, 'frank', H);
    const [lo, hi] = ['bob', 'carol'].sort((a, b) =>
      compareIdentifiers(g.people.get(a)!.identifier, g.people.get(b)!.identifier),
    );
    // lo shifts its commitment for the pair and its S_i to match: its own relation still holds.
    const a0 = j.approvals.get(lo)!;
    const shift = Point.BASE.multiply(99n);
    const M = decodeMaskCommitment(a0.maskCommitments[hi], 'M').add(shift);
    const tampered = {
      ...a0,
      maskCommitments: { ...a0.maskCommitments, [hi]: encodeMaskCommitment(M) },
      fragmentCommitment: encodePoint(decodePoint(a0.fragmentCommitment, 'S').add(shift)),
    };
    putApproval(j.files, lo, resign(tampered, g.people.get(lo)!));
    const a = auditJoin(j.files, g.group);
    expect(errorsOf(a)).toEqual([
      expect.objectContaining({
        culprit: `${lo}, ${hi}`,
        field: `maskCommitments.${hi}`,
        reason: `${lo} and ${hi} publish different commitments to their pair mask`,
      }),
    ]);
    expect(a.phase).toBe('invalid');
  });

  it('rejects an approval for another request, and one for another ceremony', async () => {
    const g = dealGroup(FIVE, 3);
    const j = await makeJoin(g, 'frank', ['alice', 'bob', 'carol']);
    const elsewhere = await makeJoin(g, 'frank', ['alice', 'bob', 'carol']);
    putApproval(j.files, 'alice', elsewhere.approvals.get('alice')!);
    putApproval(j.files, 'bob', resign({ ...j.approvals.get('bob')!, ceremony: 'join-other' }, g.people.get('bob')!));
    const a = auditJoin(j.files, g.group);
    expect(errorsOf(a)).toHaveLength(2);
    expect(errorsOf(a)).toContainEqual(
      expect.objectContaining({
        culprit: 'alice',
        field: 'requestDigest',
        reason: expect.stringMatching(/an approval of another request/),
      }),
    );
    expect(errorsOf(a)).toContainEqual(
      expect.objectContaining({
        culprit: 'bob',
        field: 'ceremony',
        reason: 'an approval for ceremony join-other, not join-frank',
      }),
    );
  });

  it('rejects an approver outside H and a second approval from the same approver', async () => {
    const g = dealGroup(FIVE, 3);
    const j = await makeJoin(g, 'frank', ['alice', 'bob', 'carol']);
    const dave = g.people.get('dave')!;
    const bob = j.approvals.get('bob')!;
    putApproval(j.files, 'dave', resign({ ...bob, moniker: 'dave', identifier: dave.identifier }, dave));
    putApproval(j.files, 'bob-again', bob);
    const a = auditJoin(j.files, g.group);
    expect(errorsOf(a)).toEqual([
      expect.objectContaining({
        culprit: 'dave',
        field: 'moniker',
        reason:
          "dave is not in the request's approver set (" +
          (j.files.singles.get('request')!.value as JoinRequest).approvers.join(', ') +
          ')',
      }),
      expect.objectContaining({
        culprit: 'bob',
        field: 'moniker',
        reason: 'a second approval from bob (the first is ceremonies/join-frank/approvals/bob.json)',
      }),
    ]);
    expect(a.rows.find((r) => r.moniker === 'dave')!.steps.approval).toBe('invalid');
  });

  it('rejects a finalize whose verifying share is wrong, or that saw other approvals', async () => {
    const g = dealGroup(FIVE, 3);
    const j = await makeJoin(g, 'frank', ['alice', 'bob', 'carol']);
    await finalizeJoin(j, g.group);
    const raw = j.files.singles.get('finalize')!;
    const fin = raw.value as JoinFinalize;
    raw.value = resign({ ...fin, verifyingShare: encodePoint(Point.BASE.multiply(5n)) }, j.newcomer);
    let a = auditJoin(j.files, g.group);
    expect(errorsOf(a)).toEqual([
      expect.objectContaining({
        culprit: 'frank',
        field: 'verifyingShare',
        reason: expect.stringMatching(/verifying share is not Y\(x_n\)/),
      }),
    ]);
    expect(a.group).toBeUndefined();
    raw.value = resign({ ...fin, approvalsDigest: digest('something else') }, j.newcomer);
    a = auditJoin(j.files, g.group);
    expect(errorsOf(a)).toEqual([expect.objectContaining({ culprit: 'frank', field: 'approvalsDigest' })]);
    raw.value = resign(fin, g.people.get('alice')!);
    expect(errorsOf(auditJoin(j.files, g.group))).toEqual([
      expect.objectContaining({ culprit: 'frank', field: 'signature' }),
    ]);
  });

  it('rejects a join request from an existing moniker, an outsider approver, too few approvers', async () => {
    const g = dealGroup(FIVE, 3);
    const alice = { ...person('alice') };
    const key = bytesToHex(x25519.getPublicKey(x25519.utils.randomSecretKey()));
    expect(() => joinRequest('join-a', alice, g.group, ['bob', 'carol', 'dave'], key)).toThrow(
      /alice is already a member of the group/,
    );
    expect(() => joinRequest('join-f', person('frank'), g.group, ['bob', 'carol', 'zed'], key)).toThrow(
      /approver zed does not hold a share/,
    );
    expect(() => joinRequest('join-f', person('frank'), g.group, ['bob', 'carol'], key)).toThrow(
      /2 approvers, but the threshold is 3/,
    );
    expect(() => joinRequest('join-f', person('frank'), g.group, ['bob', 'bob', 'carol'], key)).toThrow(
      /approver bob is named twice/,
    );
    // The audit rejects the same request if someone writes it by hand.
    const j = await makeJoin(g, 'frank', ['alice', 'bob', 'carol']);
    const raw = j.files.singles.get('request')!;
    const req = raw.value as JoinRequest;
    raw.value = resign(
      {
        ...req,
        moniker: 'alice',
        identifier: alice.identifier,
        signingKey: alice.signingKey,
        encryptionKey: alice.encryptionKey,
      },
      alice,
    );
    j.files.byRole.set('approvals', new Map());
    let a = auditJoin(j.files, g.group);
    expect(errorsOf(a)).toEqual([
      expect.objectContaining({ culprit: 'alice', field: 'moniker', reason: 'alice is already a member of the group' }),
    ]);
    raw.value = resign({ ...req, approvers: req.approvers.slice(0, 2) }, j.newcomer);
    a = auditJoin(j.files, g.group);
    expect(errorsOf(a)).toEqual([
      expect.objectContaining({
        culprit: 'frank',
        field: 'approvers',
        reason: '2 approvers, fewer than the threshold 3',
      }),
    ]);
    raw.value = resign({ ...req, approvers: [...req.approvers].reverse() }, j.newcomer);
    expect(errorsOf(auditJoin(j.files, g.group))).toEqual([
      expect.objectContaining({ culprit: 'frank', field: 'approvers.1' }),
    ]);
  });

  it('an approver refuses a request it is not named in, and a share that is not its own', async () => {
    const g = dealGroup(FIVE, 3);
    const j = await makeJoin(g, 'frank', ['alice', 'bob', 'carol']);
    j.files.byRole.set('approvals', new Map());
    const a = auditJoin(j.files, g.group);
    const dave = g.people.get('dave')!;
    await expect(joinApproval(a, dave, dave.share!)).rejects.toThrow(/dave is not among the request's approvers/);
    const bob = g.people.get('bob')!;
    await expect(joinApproval(a, bob, g.people.get('carol')!.share!)).rejects.toThrow(
      /your share does not match your verifying share/,
    );
  });

  it("waits for the manifest's group and reports a broken manifest", async () => {
    const g = dealGroup(FIVE, 3);
    const j = await makeJoin(g, 'frank', ['alice', 'bob', 'carol']);
    const m = j.files.manifest!;
    m.value = { ...(m.value as object), groupDigest: '00'.repeat(32) };
    expect(errorsOf(auditJoin(j.files, g.group))).toEqual([expect.objectContaining({ field: 'groupDigest' })]);
    m.value = { ...(m.value as object), kind: 'dkg' };
    expect(auditJoin(j.files, g.group).errors[0].field).toBe('kind');
  });
});
