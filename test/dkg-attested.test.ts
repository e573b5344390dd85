/**
 * A participant's own audit (dkg-finalize's) does not redo the costly checks of a round 1 its own
 * signed round-2 artifact says it audited (round1Attested, src/ceremony/dkg-precheck.ts): shown
 * with a round 1 spoiled four ways that only the attestation covers (a bad proof, a low-order
 * X25519 key, a bad signature, a torsion part in the group commitment). Anything short of the
 * attestation (another signer, another round-1 digest, a round-1 key that is not the auditor's,
 * the public audit) finds all four and names each dealer; no later audit in the process inherits
 * the trust. Last, the same through the real CLI: `dkg-finalize` passes alice's identity to the
 * audit, `verify` passes none.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ED25519_TORSION_SUBGROUP } from '@noble/curves/ed25519.js';
import { signArtifact, toFileText } from '../src/artifacts/canonical.js';
import { Round1, Round2 } from '../src/artifacts/schemas.js';
import { auditDkg, round1DigestOf } from '../src/ceremony/dkg.js';
import { dkgCommit, dkgDeal, dkgManifest } from '../src/ceremony/dkg-steps.js';
import type { Author } from '../src/ceremony/join-steps.js';
import { CeremonyFiles } from '../src/ceremony/tree.js';
import { Fn, Point, bytesToHex, decodeScalar, encodePoint } from '../src/crypto/suite.js';
import { homePaths } from '../src/local/home.js';
import { openIdentity } from '../src/local/identity.js';
import { PASSPHRASE, cleanupTempDirs, fails, ok } from './helpers.js';
import { person } from './join-fixture.js';
import { sharedGenesis } from './support/genesis.js';

afterAll(cleanupTempDirs);

const CEREMONY = 'attest';
const MONIKERS = ['alice', 'bob', 'carol', 'dave', 'erin'];
const CLI_MONIKERS = ['alice', 'bob', 'carol'];

function files(round1: Round1[], round2: Round2[]): CeremonyFiles {
  const role = (name: string, artifacts: { moniker: string }[]) =>
    new Map(artifacts.map((a) => [a.moniker, { file: `ceremonies/${CEREMONY}/${name}/${a.moniker}.json`, value: a }]));
  return {
    id: CEREMONY,
    dir: `ceremonies/${CEREMONY}`,
    manifest: { file: `ceremonies/${CEREMONY}/ceremony.json`, value: dkgManifest(CEREMONY, 2, MONIKERS.length) },
    byRole: new Map([
      ['round1', role('round1', round1)],
      ['round2', role('round2', round2)],
    ]),
    singles: new Map(),
    errors: [],
  };
}

/** Re-signs `a` with `changes` applied, as its author (or whoever holds `secret`) could. */
function resigned<T extends { signature: string }>(a: T, changes: Partial<T>, secret: Uint8Array): T {
  const { signature: _drop, ...rest } = { ...a, ...changes };
  return signArtifact(rest, secret) as unknown as T;
}

/** A proof of knowledge with z + 1: R and z still well formed, the equation false. */
function spoiledProof(proof: string): string {
  const z = decodeScalar(proof.slice(64), 'z');
  return proof.slice(0, 64) + bytesToHex(Fn.toBytes(Fn.add(z, 1n)));
}

/**
 * A 2-of-5 genesis through round 2, dealt over an honest round 1; then round 1 is spoiled. Its
 * artifacts: bob's proof (re-signed by bob), carol's X25519 key made the low-order u = 1
 * (re-signed by carol), dave's signature (a byte flipped). Or its group commitment: erin's C_1
 * plus a point of order 8 (re-signed by erin), which only the closed round finds. `attest(i)` is
 * participant i's round-2 artifact re-signed over the spoiled round 1's digest, as if its round 2
 * had been dealt over it.
 */
async function spoiledCeremony(spoil: 'artifacts' | 'group') {
  const people = MONIKERS.map(person);
  const r1 = people.map((p) => dkgCommit(CEREMONY, p, 2, MONIKERS.length));
  const honest = auditDkg(
    files(
      r1.map((r) => r.artifact),
      [],
    ),
  );
  expect(honest.errors).toEqual([]);
  const r2 = await Promise.all(people.map((p, i) => dkgDeal(honest, p, r1[i].state)));
  const [alice, bob, carol, dave, erin] = r1.map((r) => r.artifact);
  const order8 = ED25519_TORSION_SUBGROUP.map((h) => Point.fromHex(h)).find((t) => !t.double().double().is0())!;
  const flipped = (dave.signature[0] === '0' ? '1' : '0') + dave.signature.slice(1);
  const round1 =
    spoil === 'artifacts'
      ? [
          alice,
          resigned(bob, { proofOfKnowledge: spoiledProof(bob.proofOfKnowledge) }, people[1].signingSecret),
          resigned(carol, { encryptionKey: '01' + '00'.repeat(31) }, people[2].signingSecret),
          { ...dave, signature: flipped },
          erin,
        ]
      : [
          alice,
          bob,
          carol,
          dave,
          resigned(
            erin,
            { commitment: [erin.commitment[0], encodePoint(Point.fromHex(erin.commitment[1]).add(order8))] },
            people[4].signingSecret,
          ),
        ];
  const spoiledDigest = round1DigestOf(round1);
  const attest = (who: number, secret = people[who].signingSecret, round1Digest = spoiledDigest) =>
    resigned(r2[who].artifact, { round1Digest }, secret);
  return { people, round1, r2: r2.map((r) => r.artifact), attest };
}

const self = (p: Author) => ({ moniker: p.moniker, signingKey: p.signingKey });

/** Each round-1 problem of the audit as `file: culprits` (round 2 is not open while round 1 fails). */
const problems = (audit: ReturnType<typeof auditDkg>) =>
  audit.errors.filter((e) => e.file?.includes('/round1/')).map((e) => `${e.file}: ${e.culprits.join(',')}`);

const round1File = (m: string) => `ceremonies/${CEREMONY}/round1/${m}.json: ${m}`;

describe("a participant's own audit and the round 1 its round 2 attests", () => {
  it('the public audit names bob, carol and dave, and erin once round 1 closes, each for the right reason', async () => {
    const a = await spoiledCeremony('artifacts');
    const audit = auditDkg(files(a.round1, [a.attest(0)]));
    expect(problems(audit).sort()).toEqual(['bob', 'carol', 'dave'].map(round1File));
    const reason = (m: string) => audit.errors.find((e) => e.culprits.includes(m))?.message;
    expect(reason('bob')).toMatch(/invalid proof of knowledge/);
    expect(reason('carol')).toMatch(/X25519 public key of low order/);
    expect(reason('dave')).toMatch(/bad artifact signature/);
    const g = await spoiledCeremony('group');
    const group = auditDkg(files(g.round1, [g.attest(0)]));
    expect(problems(group)).toEqual([round1File('erin')]);
    expect(group.errors[0].message).toMatch(/prime-order subgroup/);
  });

  it("alice's own audit trusts the round 1 her signed round-2 artifact names, and no later audit does", async () => {
    for (const spoil of ['artifacts', 'group'] as const) {
      const c = await spoiledCeremony(spoil);
      const given = files(c.round1, [c.attest(0)]);
      const mine = auditDkg(given, self(c.people[0]));
      expect(mine.errors, spoil).toEqual([]);
      expect(mine.round1.size).toBe(MONIKERS.length);
      expect(mine.groupCommitment).toHaveLength(2);
      // The same files again, as the public audit: found again, the trust did not stay behind.
      expect(problems(auditDkg(given)).length, spoil).toBeGreaterThan(0);
    }
  });

  it('checks everything when the attestation falls short', async () => {
    for (const [spoil, culprits] of [
      ['artifacts', ['bob', 'carol', 'dave']],
      ['group', ['erin']],
    ] as const) {
      const c = await spoiledCeremony(spoil);
      const [alice, , carol] = c.people;
      const mallory = person('alice');
      const cases: [string, Round2[], ReturnType<typeof self>][] = [
        ["alice's round 2 signed by another key", [c.attest(0, mallory.signingSecret)], self(alice)],
        ["alice's round 2 over the honest round 1's digest", [c.r2[0]], self(alice)],
        ['an auditor whose key is not the one alice published', [c.attest(0)], self(mallory)],
        ['an auditor without a round-2 artifact', [c.attest(0)], self(carol)],
        ["bob's own attestation is bob's, not alice's audit", [c.attest(1)], self(alice)],
      ];
      for (const [what, round2, auditor] of cases) {
        const found = problems(auditDkg(files(c.round1, round2), auditor));
        expect(found.sort(), `${spoil}: ${what}`).toEqual(culprits.map(round1File));
      }
    }
  });
});

describe('through the CLI', () => {
  it('alice finalizes over the round 1 her round 2 attests; verify still names bob', async () => {
    const g = await sharedGenesis({ monikers: CLI_MONIKERS, threshold: 2 }, 'round2', 'sss-attest-');
    const path = (role: string, m: string) => join(g.dir, role, `${m}.json`);
    const read = <T>(role: string, m: string) => JSON.parse(readFileSync(path(role, m), 'utf8')) as T;
    const secrets = Object.fromEntries(
      await Promise.all(
        CLI_MONIKERS.map(
          async (m) => [m, (await openIdentity(homePaths(g.home(m)), PASSPHRASE)).signingSecret] as const,
        ),
      ),
    );
    // bob spoils his proof (z + 1) and re-signs; everyone's round 2 is re-signed over the new
    // round-1 digest, as if all had dealt over it.
    const bob = read<Round1>('round1', 'bob');
    const badProof = spoiledProof(bob.proofOfKnowledge);
    writeFileSync(path('round1', 'bob'), toFileText(resigned(bob, { proofOfKnowledge: badProof }, secrets.bob)));
    const round1Digest = round1DigestOf(CLI_MONIKERS.map((m) => read<Round1>('round1', m)));
    for (const m of CLI_MONIKERS)
      writeFileSync(path('round2', m), toFileText(resigned(read<Round2>('round2', m), { round1Digest }, secrets[m])));

    ok(g.as('alice', ['dkg-finalize', '--shares', join(g.dir, 'round2')]), { cwd: g.repo });
    expect(fails(['verify', '--ceremony', g.ceremony, '--repo', g.repo])).toMatch(
      /round1\/bob\.json.*invalid proof of knowledge|invalid proof of knowledge.*bob/,
    );
  });
});
