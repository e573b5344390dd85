/**
 * A participant's own audit (dkg-finalize's) does not verify again the proofs of knowledge its own
 * signed round-2 artifact says it verified (round1Attested, src/ceremony/dkg-precheck.ts): shown here with a round 1 whose one bad proof only that
 * attestation covers. Anything short of the attestation (another signer, another round-1 digest,
 * a round-1 key that is not the auditor's, the public audit) checks every proof and names the
 * dealer; and no later audit in the process inherits the trust. Last, the same through the real
 * CLI: `dkg-finalize` passes alice's identity to the audit, `verify` passes none.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signArtifact, toFileText } from '../src/artifacts/canonical.js';
import { Round1, Round2 } from '../src/artifacts/schemas.js';
import { auditDkg, round1DigestOf } from '../src/ceremony/dkg.js';
import { dkgCommit, dkgDeal, dkgManifest } from '../src/ceremony/dkg-steps.js';
import type { Author } from '../src/ceremony/join-steps.js';
import { person } from './join-fixture.js';
import { CeremonyFiles } from '../src/ceremony/tree.js';
import { Fn, bytesToHex, decodeScalar } from '../src/crypto/suite.js';
import { homePaths } from '../src/local/home.js';
import { openIdentity } from '../src/local/identity.js';
import { PASSPHRASE, cleanupTempDirs, fails, ok } from './helpers.js';
import { sharedGenesis } from './support/genesis.js';

afterAll(cleanupTempDirs);

const CEREMONY = 'attest';
const MONIKERS = ['alice', 'bob', 'carol'];

function files(round1: Round1[], round2: Round2[]): CeremonyFiles {
  const role = (name: string, artifacts: { moniker: string }[]) =>
    new Map(artifacts.map((a) => [a.moniker, { file: `ceremonies/${CEREMONY}/${name}/${a.moniker}.json`, value: a }]));
  return {
    id: CEREMONY,
    dir: `ceremonies/${CEREMONY}`,
    manifest: { file: `ceremonies/${CEREMONY}/ceremony.json`, value: dkgManifest(CEREMONY, 2, 3) },
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

/**
 * A 2-of-3 genesis through round 2, dealt over an honest round 1; then bob's proof is spoiled (z
 * plus one, re-signed by bob), and alice's round-2 artifact is re-signed over the spoiled round 1's
 * digest, as if her round 2 had been dealt over it.
 */
async function spoiledCeremony() {
  const people = MONIKERS.map(person);
  const r1 = people.map((p) => dkgCommit(CEREMONY, p, 2, 3));
  const honest = auditDkg(
    files(
      r1.map((r) => r.artifact),
      [],
    ),
  );
  expect(honest.errors).toEqual([]);
  const r2 = await Promise.all(people.map((p, i) => dkgDeal(honest, p, r1[i].state)));
  const bob = r1[1].artifact;
  const z = decodeScalar(bob.proofOfKnowledge.slice(64), 'z');
  const badProof = bob.proofOfKnowledge.slice(0, 64) + bytesToHex(Fn.toBytes(Fn.add(z, 1n)));
  const round1 = [
    r1[0].artifact,
    resigned(bob, { proofOfKnowledge: badProof }, people[1].signingSecret),
    r1[2].artifact,
  ];
  const spoiledDigest = round1DigestOf(round1);
  const attest = (who: number, secret = people[who].signingSecret, round1Digest = spoiledDigest) =>
    resigned(r2[who].artifact, { round1Digest }, secret);
  return { people, round1, r2: r2.map((r) => r.artifact), attest };
}

const self = (p: Author) => ({ moniker: p.moniker, signingKey: p.signingKey });
const proofErrors = (audit: ReturnType<typeof auditDkg>) =>
  audit.errors.filter((e) => /invalid proof of knowledge/.test(e.message));

describe("a participant's own audit and the proofs its round 2 attests", () => {
  it('the public audit names bob for his bad proof', async () => {
    const c = await spoiledCeremony();
    const audit = auditDkg(files(c.round1, [c.attest(0)]));
    expect(proofErrors(audit).map((e) => [e.file, e.culprits])).toEqual([
      [`ceremonies/${CEREMONY}/round1/bob.json`, ['bob']],
    ]);
  });

  it("alice's own audit trusts the round 1 her signed round-2 artifact names, and no later audit does", async () => {
    const c = await spoiledCeremony();
    const given = files(c.round1, [c.attest(0)]);
    const mine = auditDkg(given, self(c.people[0]));
    expect(proofErrors(mine)).toEqual([]);
    expect(mine.round1.size).toBe(3);
    // The same files again, as the public audit: the proof is checked, the trust did not stay behind.
    expect(proofErrors(auditDkg(given))).toHaveLength(1);
  });

  it('checks every proof when the attestation falls short', async () => {
    const c = await spoiledCeremony();
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
      const audit = auditDkg(files(c.round1, round2), auditor);
      expect(
        proofErrors(audit).map((e) => e.culprits),
        what,
      ).toEqual([['bob']]);
    }
  });
});

describe('through the CLI', () => {
  it('alice finalizes over the round 1 her round 2 attests; verify still names bob', async () => {
    const g = await sharedGenesis({ monikers: MONIKERS, threshold: 2 }, 'round2', 'sss-attest-');
    const path = (role: string, m: string) => join(g.dir, role, `${m}.json`);
    const read = <T>(role: string, m: string) => JSON.parse(readFileSync(path(role, m), 'utf8')) as T;
    const secrets = Object.fromEntries(
      await Promise.all(
        MONIKERS.map(async (m) => [m, (await openIdentity(homePaths(g.home(m)), PASSPHRASE)).signingSecret] as const),
      ),
    );
    // bob spoils his proof (z + 1) and re-signs; everyone's round 2 is re-signed over the new
    // round-1 digest, as if all had dealt over it.
    const bob = read<Round1>('round1', 'bob');
    const z = decodeScalar(bob.proofOfKnowledge.slice(64), 'z');
    const badProof = bob.proofOfKnowledge.slice(0, 64) + bytesToHex(Fn.toBytes(Fn.add(z, 1n)));
    writeFileSync(path('round1', 'bob'), toFileText(resigned(bob, { proofOfKnowledge: badProof }, secrets.bob)));
    const round1Digest = round1DigestOf(MONIKERS.map((m) => read<Round1>('round1', m)));
    for (const m of MONIKERS)
      writeFileSync(path('round2', m), toFileText(resigned(read<Round2>('round2', m), { round1Digest }, secrets[m])));

    ok(g.as('alice', ['dkg-finalize', '--shares', join(g.dir, 'round2')]), { cwd: g.repo });
    expect(fails(['verify', '--ceremony', g.ceremony, '--repo', g.repo])).toMatch(
      /round1\/bob\.json.*invalid proof of knowledge|invalid proof of knowledge.*bob/,
    );
  });
});
