/**
 * Resharing in-process, with the real step functions and the real audit: remove a holder, refresh
 * the same set, raise 3-of-5 to 4-of-7 with two newcomers, lower it back. After each, any M' new
 * shares interpolate to the original secret, fewer do not, the key is unchanged, and an old share
 * cannot sign with new ones. Bad dealers and bad finalizes are named by the audit.
 */
import { describe, expect, it } from 'vitest';
import { hpkeInfo, seal } from '../src/crypto/hpke.js';
import { RESHARE_LABEL, badReceivedShares, dealReshare } from '../src/crypto/reshare.js';
import { Fn, Point, bytesToHex, encodePoint, hexToBytes } from '../src/crypto/suite.js';
import { aggregate } from '../src/artifacts/signing.js';
import { auditReshare } from '../src/ceremony/reshare.js';
import { openReshare, reshareFinalize } from '../src/ceremony/reshare-steps.js';
import { Cosigner } from '../src/local/cosigner.js';
import { ShareFile } from '../src/local/share.js';
import { verifySignature } from '../src/crypto/sign.js';
import { dealGroup, finalizeJoin, makeJoin, Person, resign } from './join-fixture.js';
import { auditJoin } from '../src/ceremony/join.js';
import { chainJoins } from '../src/ceremony/repository.js';
import { Holders, deal, finalizeAll, interpolate, propose, putFile, reshare } from './reshare-fixture.js';

const FIVE = ['alice', 'bob', 'carol', 'dave', 'eve'];

function subsets<T>(xs: T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (xs.length < k) return [];
  const [first, ...rest] = xs;
  return [...subsets(rest, k - 1).map((s) => [first, ...s]), ...subsets(rest, k)];
}

/** Any M' new shares give the secret; M'−1 never do (every subset is tried). */
function expectThreshold(h: Holders): void {
  const people = [...h.people.values()];
  const M = h.group.threshold;
  for (const s of subsets(people, M)) expect(interpolate(s)).toBe(h.secret);
  for (const s of subsets(people, M - 1)) expect(interpolate(s)).not.toBe(h.secret);
}

function shareFile(h: Holders, p: Person): ShareFile {
  const entry = h.group.participants.find((x) => x.moniker === p.moniker)!;
  return {
    format: 'sss-tool/share@1',
    ciphersuite: h.group.ciphersuite as ShareFile['ciphersuite'],
    ceremony: entry.ceremony,
    moniker: p.moniker,
    identifier: p.identifier,
    signingShare: bytesToHex(Fn.toBytes(p.share!)),
    verifyingShare: entry.verifyingShare,
    group: {
      publicKey: h.group.publicKey,
      threshold: h.group.threshold,
      commitment: h.group.commitment,
      genesis: h.group.ceremonies[0].id,
      ...(h.group.epoch ? { epoch: h.group.epoch } : {}),
    },
  };
}

/** A FROST signature by the given cosigners over a message, aggregated for `group`. */
function sign(cosigners: Cosigner[], group: Holders['group'], session: string): Uint8Array {
  const message = new TextEncoder().encode('reshare test');
  const commitments = cosigners.map((c) => c.commit(session));
  const shares = cosigners.map((c) => c.signShare(session, message, commitments));
  return aggregate(group, message, commitments, shares).signature;
}

/** The old share of `removed` cannot sign with new ones, by any route. */
function expectOldShareRefused(before: Holders, after: Holders, old: string): void {
  const oldFile = shareFile(before, before.people.get(old)!);
  const fresh = [...after.people.values()]
    .slice(0, after.group.threshold - 1)
    .map((p) => new Cosigner(shareFile(after, p)));
  const stale = new Cosigner(oldFile);
  const message = new TextEncoder().encode('x');
  const commitments = [stale.commit('s1'), ...fresh.map((c) => c.commit('s1'))];
  // The new holders refuse a list with an old-epoch commitment, naming its signer.
  expect(() => fresh[0].signShare('s1', message, commitments)).toThrow(
    new RegExp(`epoch ${before.group.epoch ?? 0}.*culprit: ${old}`),
  );
  // Told the group's epoch, the old share does not even open.
  expect(() => new Cosigner(oldFile, { epoch: after.group.epoch })).toThrow(/a reshare replaced it/);
  // Relabelled with the new group, it is not on the new polynomial.
  expect(() => new Cosigner({ ...oldFile, group: shareFile(after, [...after.people.values()][0]).group })).toThrow(
    /not on the group's polynomial/,
  );
}

describe('reshare: the four shapes of issue 11', () => {
  it('raises 3-of-5 to 4-of-7, lowers it back, removes a holder and refreshes the same set, keeping the key', async () => {
    const g = dealGroup(FIVE, 3);
    let h: Holders = { group: g.group, people: g.people, secret: g.secret };
    const key = h.group.publicKey;
    const message = new TextEncoder().encode('reshare test');

    // 1. Raise 3-of-5 to 4-of-7 with two newcomers; every holder deals, Q is the first 3 by identifier.
    const r1 = await reshare(h, {
      ceremony: 'grow',
      keep: FIVE,
      newcomers: ['frank', 'grace'],
      newThreshold: 4,
      dealers: FIVE,
    });
    expect(r1.after.group.participants).toHaveLength(7);
    expect(r1.after.group.threshold).toBe(4);
    expect(r1.after.group.commitment).toHaveLength(4);
    expect(r1.after.group.commitment[0]).toBe(key);
    expect(r1.after.group.epoch).toBe(1);
    expect(r1.audit.qualified).toHaveLength(3);
    expectThreshold(r1.after);
    expectOldShareRefused(r1.before, r1.after, 'alice');
    const sig = sign(
      ['alice', 'frank', 'grace', 'dave'].map((m) => new Cosigner(shareFile(r1.after, r1.after.people.get(m)!))),
      r1.after.group,
      'g',
    );
    expect(verifySignature(hexToBytes(key), message, sig)).toBe(true);
    h = r1.after;

    // 2. Lower it back to 3 (4 dealers: M = 4 now).
    const r2 = await reshare(h, {
      ceremony: 'lower',
      keep: [...FIVE, 'frank', 'grace'],
      newThreshold: 3,
      dealers: ['bob', 'carol', 'frank', 'grace'],
    });
    expect(r2.after.group.threshold).toBe(3);
    expect(r2.after.group.epoch).toBe(2);
    expectThreshold(r2.after);
    h = r2.after;

    // 3. Remove eve.
    const r3 = await reshare(h, {
      ceremony: 'remove-eve',
      keep: ['alice', 'bob', 'carol', 'dave', 'frank', 'grace'],
      newThreshold: 3,
      dealers: ['alice', 'eve', 'grace'],
    });
    expect(r3.after.group.participants.map((p) => p.moniker)).toEqual([
      'alice',
      'bob',
      'carol',
      'dave',
      'frank',
      'grace',
    ]);
    expect(r3.after.group.publicKey).toBe(key);
    expect(r3.after.group.ceremonies.map((c) => c.kind)).toEqual(['dkg', 'reshare', 'reshare', 'reshare']);
    expectThreshold(r3.after);
    expectOldShareRefused(r3.before, r3.after, 'eve');
    h = r3.after;

    // 4. Refresh the same set: every share changes, the key does not; old and new never mix.
    const holders = ['alice', 'bob', 'carol', 'dave', 'frank', 'grace'];
    const r4 = await reshare(h, {
      ceremony: 'refresh',
      keep: holders,
      newThreshold: 3,
      dealers: ['bob', 'carol', 'dave'],
    });
    for (const m of holders) expect(r4.after.people.get(m)!.share).not.toBe(h.people.get(m)!.share);
    expect(r4.after.group.epoch).toBe(4);
    expectThreshold(r4.after);
    expectOldShareRefused(r4.before, r4.after, 'alice');
    expect(
      interpolate([r4.before.people.get('alice')!, r4.after.people.get('bob')!, r4.after.people.get('carol')!]),
    ).not.toBe(h.secret);
    const sig4 = sign(
      ['carol', 'frank', 'grace'].map((m) => new Cosigner(shareFile(r4.after, r4.after.people.get(m)!))),
      r4.after.group,
      'r4',
    );
    expect(verifySignature(hexToBytes(key), message, sig4)).toBe(true);
  });
});

describe('reshare: bad dealers are named, and one does not stall the ceremony', () => {
  async function started(dealers = ['alice', 'bob', 'carol']) {
    const g = dealGroup(FIVE, 3);
    const h: Holders = { group: g.group, people: g.people, secret: g.secret };
    const files = propose(h, { ceremony: 'rs', keep: ['alice', 'bob', 'carol', 'dave'], newThreshold: 3, dealers });
    return { h, files };
  }

  it('names a dealer whose constant term is not its verifying share (a key shift)', async () => {
    const { h, files } = await started();
    const dealings = await deal(h, files, ['alice', 'bob', 'carol']);
    const shifted = {
      ...dealings.get('bob')!,
      commitment: [
        encodePoint(Point.fromHex(dealings.get('bob')!.commitment[0]).add(Point.BASE)),
        ...dealings.get('bob')!.commitment.slice(1),
      ],
    };
    putFile(files, 'dealings', 'bob', resign(shifted, h.people.get('bob')!));
    const audit = auditReshare(files, h.group);
    const e = audit.errors.find((x) => x.culprit === 'bob');
    expect(e?.field).toBe('commitment.0');
    expect(e?.file).toBe('ceremonies/rs/dealings/bob.json');
    expect(e?.reason).toMatch(/shift the key/);
    expect(e?.code).toBe('inconsistent');
    expect(audit.dealings.has('bob')).toBe(false);
  });

  it('names a dealer outside the proposal, a dealing for another proposal, and a forged signature', async () => {
    const { h, files } = await started();
    const dealings = await deal(h, files, ['alice', 'bob']);
    putFile(
      files,
      'dealings',
      'alice',
      resign({ ...dealings.get('alice')!, proposalDigest: '00'.repeat(32) }, h.people.get('alice')!),
    );
    putFile(files, 'dealings', 'bob', { ...dealings.get('bob')!, shares: dealings.get('bob')!.shares.slice(1) });
    putFile(files, 'dealings', 'eve', { ...dealings.get('bob')!, moniker: 'eve' });
    const audit = auditReshare(files, h.group);
    const by = (m: string) => audit.errors.find((e) => e.culprit === m);
    expect(by('alice')?.field).toBe('proposalDigest');
    expect(by('bob')?.field).toBe('signature');
    expect(by('eve')?.reason).toMatch(/not among the proposal's dealers/);
  });

  it('with more than M dealers, a bad share to one holder is left out of Q and the reshare completes', async () => {
    const { h, files } = await started(['alice', 'bob', 'carol', 'dave']);
    const dealings = await deal(h, files, ['alice', 'bob', 'carol', 'dave']);
    const audit0 = auditReshare(files, h.group);
    const first = audit0.qualified![0];
    const victim = 'dave';
    const j = audit0.holders.findIndex((x) => x.identity.moniker === victim);
    const d = dealings.get(first)!;
    const sealed = await seal(
      hexToBytes(h.people.get(victim)!.encryptionKey),
      hpkeInfo(RESHARE_LABEL, 'rs', d.identifier, h.people.get(victim)!.identifier),
      Fn.toBytes(12345n),
    );
    const shares = d.shares.map((s, i) =>
      i === j ? { ...s, enc: bytesToHex(sealed.enc), ciphertext: bytesToHex(sealed.ciphertext) } : s,
    );
    putFile(files, 'dealings', first, resign({ ...d, shares }, h.people.get(first)!));
    // Publicly the dealing is fine; the victim finalizes first and finds the bad share.
    expect(auditReshare(files, h.group).errors).toEqual([]);
    const opened = await openReshare(auditReshare(files, h.group), h.people.get(victim)!);
    expect(opened.bad).toEqual([first]);
    expect(opened.qualified).not.toContain(first);
    await finalizeAll(h, files, [victim, 'alice', 'bob', 'carol']);
    const audit = auditReshare(files, h.group);
    expect(audit.errors).toEqual([]);
    expect(audit.phase).toBe('complete');
    expect(audit.group!.publicKey).toBe(h.group.publicKey);
  });

  it('a bad share from a dealer already in a merged Q stops the victim, naming the dealer', async () => {
    const { h, files } = await started(['alice', 'bob', 'carol']);
    const dealings = await deal(h, files, ['alice', 'bob', 'carol']);
    await finalizeAll(h, files, ['alice']);
    const j = auditReshare(files, h.group).holders.findIndex((x) => x.identity.moniker === 'bob');
    const c = dealings.get('carol')!;
    const sealed = await seal(
      hexToBytes(h.people.get('bob')!.encryptionKey),
      hpkeInfo(RESHARE_LABEL, 'rs', c.identifier, h.people.get('bob')!.identifier),
      Fn.toBytes(7n),
    );
    putFile(
      files,
      'dealings',
      'carol',
      resign(
        {
          ...c,
          shares: c.shares.map((s, i) =>
            i === j ? { ...s, enc: bytesToHex(sealed.enc), ciphertext: bytesToHex(sealed.ciphertext) } : s,
          ),
        },
        h.people.get('carol')!,
      ),
    );
    await expect(openReshare(auditReshare(files, h.group), h.people.get('bob')!)).rejects.toThrow(/culprit: carol/);
  });

  it('names a new holder whose verifying share is wrong, or whose qualified set differs', async () => {
    const { h, files } = await started(['alice', 'bob', 'carol', 'dave']);
    await deal(h, files, ['alice', 'bob', 'carol', 'dave']);
    await finalizeAll(h, files, ['alice', 'bob']);
    const audit = auditReshare(files, h.group);
    const carol = h.people.get('carol')!;
    putFile(
      files,
      'finalize',
      'carol',
      reshareFinalize(audit, carol, audit.qualified!, encodePoint(Point.BASE.multiply(5n))),
    );
    const other = ['alice', 'bob', 'carol', 'dave']
      .filter((m) => !audit.qualified!.includes(m))
      .concat(audit.qualified!.slice(1));
    const sorted = audit.qualified!.slice(1).concat(other.filter((m) => !audit.qualified!.includes(m)));
    const q2 = audit.holders.map((x) => x.identity.moniker).filter((m) => sorted.includes(m));
    putFile(
      files,
      'finalize',
      'dave',
      reshareFinalize(audit, h.people.get('dave')!, q2, encodePoint(Point.BASE.multiply(6n))),
    );
    const after = auditReshare(files, h.group);
    expect(after.errors.find((e) => e.culprit === 'carol')?.field).toBe('verifyingShare');
    expect(after.errors.find((e) => e.culprit === 'dave')?.field).toBe('qualified');
    expect(after.phase).toBe('invalid');
  });

  it('a finalize its holder did not sign cannot fix Q, and a Q with strange names is refused by the schema', async () => {
    const { h, files } = await started(['alice', 'bob', 'carol', 'dave']);
    await deal(h, files, ['alice', 'bob', 'carol', 'dave']);
    const audit = auditReshare(files, h.group);
    const other = ['bob', 'carol', 'dave'];
    // Signed by bob's key but filed as alice's: not alice's signature, so Q stays the proposed one.
    putFile(files, 'finalize', 'alice', {
      ...reshareFinalize(audit, h.people.get('bob')!, other, h.group.publicKey),
      moniker: 'alice',
      identifier: h.people.get('alice')!.identifier,
    });
    putFile(files, 'finalize', 'bob', {
      ...reshareFinalize(audit, h.people.get('bob')!, audit.qualified!, h.group.publicKey),
      qualified: ['\u001b[31mx'],
    });
    const after = auditReshare(files, h.group);
    expect(after.qualifiedFixed).toBe(false);
    expect(after.qualified).toEqual(audit.qualified);
    expect(after.errors.find((e) => e.culprit === 'alice')?.field).toBe('signature');
    expect(after.errors.find((e) => e.file === 'ceremonies/rs/finalize/bob.json')?.field).toBe('qualified.0');
  });

  it('refuses a proposal that changes the key, skips the epoch or names a removed stranger as dealer', async () => {
    const { h, files } = await started();
    const m = files.manifest!.value as Record<string, unknown>;
    for (const [field, value] of [
      ['publicKey', h.group.commitment[1]],
      ['epoch', 2],
      ['dealers', ['zed', 'alice', 'bob']],
      ['newThreshold', 5],
    ] as const) {
      files.manifest = { file: 'ceremonies/rs/ceremony.json', value: { ...m, [field]: value } };
      const a = auditReshare(files, h.group);
      expect(a.errors[0]?.field, field).toMatch(new RegExp(`^${field}`));
    }
  });
});

describe('reshare and the group chain', () => {
  it('a join after a reshare extends the new group: same epoch, a share on the new polynomial', async () => {
    const g = dealGroup(FIVE, 3);
    const r = await reshare(
      { group: g.group, people: g.people, secret: g.secret },
      { ceremony: 'rs', keep: ['alice', 'bob', 'carol', 'dave'], newThreshold: 3, dealers: ['alice', 'bob', 'carol'] },
    );
    const j = await makeJoin({ group: r.after.group, people: r.after.people, secret: g.secret }, 'frank', [
      'alice',
      'bob',
      'dave',
    ]);
    const { signingShare } = await finalizeJoin(j, r.after.group);
    const audit = auditJoin(j.files, r.after.group);
    expect(audit.phase).toBe('complete');
    expect(audit.group!.epoch).toBe(1);
    expect(audit.group!.commitment).toEqual(r.after.group.commitment);
    expect(
      interpolate([{ ...j.newcomer, share: signingShare }, r.after.people.get('alice')!, r.after.people.get('carol')!]),
    ).toBe(g.secret);
    // A join that still extends the genesis is stale once the reshare is in the chain.
    const stale = await makeJoin(g, 'grace', ['alice', 'bob', 'carol']);
    const chained = chainJoins(g.group, [r.files, stale.files], (f, grp) =>
      (f.manifest?.value as { kind?: string }).kind === 'reshare' ? auditReshare(f, grp) : auditJoin(f, grp),
    );
    expect(chained.group!.ceremonies.map((c) => c.id)).toEqual(['genesis', 'rs']);
    expect(chained.reports.get('join-grace')!.errors[0].reason).toMatch(
      /extends genesis, but the group has grown since/,
    );
  });
});

describe('badReceivedShares', () => {
  it('names every dealer whose share fails its commitment, a zero share among them, and no other', () => {
    const x = 12345n;
    const dealings = [11n, 22n, 33n, 44n].map((s) => dealReshare(s, 3, [x]));
    const received = dealings.map((d, i) => ({ dealer: `d${i}`, sigma: d.shares[0], commitment: d.commitment }));
    expect(badReceivedShares(x, received)).toEqual([]);
    received[1] = { ...received[1], sigma: 0n };
    received[3] = { ...received[3], sigma: Fn.add(received[3].sigma, 1n) };
    expect(badReceivedShares(x, received)).toEqual(['d1', 'd3']);
  });
});
