/**
 * At N·M ≥ 4096 points auditDkg decodes on worker threads (src/crypto/decode-pool.ts) while it
 * parses and checks signatures: the result must be the serial audit's, and bad round-1 artifacts
 * must still be refused with their file, field and culprit, whichever thread met them first.
 */
import { describe, expect, it } from 'vitest';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { signArtifact } from '../src/artifacts/canonical.js';
import { auditDkg, round1DigestOf } from '../src/ceremony/dkg.js';
import { dkgCommit, dkgManifest } from '../src/ceremony/dkg-steps.js';
import { RawFile, ceremonyOf } from '../src/ceremony/tree.js';
import { Point, bytesToHex, clearPointCache, encodePoint, identifierFor } from '../src/crypto/suite.js';

const N = 80;
const M = 54; // N·M = 4320 points: decoding goes to the workers
const CEREMONY = 'parallel';

function author(i: number) {
  const moniker = `p${String(i).padStart(3, '0')}`;
  const signingSecret = ed25519.utils.randomSecretKey();
  const encryptionSecret = x25519.utils.randomSecretKey();
  return {
    moniker,
    identifier: identifierFor(moniker),
    signingSecret,
    encryptionSecret,
    signingKey: bytesToHex(ed25519.getPublicKey(signingSecret)),
    encryptionKey: bytesToHex(x25519.getPublicKey(encryptionSecret)),
  };
}

const people = Array.from({ length: N }, (_, i) => author(i));
const round1 = people.map((p) => dkgCommit(CEREMONY, p, M, N).artifact);
const rel = (m: string) => `ceremonies/${CEREMONY}/round1/${m}.json`;

function files(artifacts: Record<string, unknown>[]) {
  const raws = new Map<string, RawFile>(
    artifacts.map((a) => [a.moniker as string, { file: rel(a.moniker as string), value: structuredClone(a) }]),
  );
  return ceremonyOf(CEREMONY, `ceremonies/${CEREMONY}`, {
    manifest: { file: `ceremonies/${CEREMONY}/ceremony.json`, value: dkgManifest(CEREMONY, M, N) },
    byRole: [['round1', raws]],
  });
}

/** Dealer i's artifact changed by `edit` and signed again with its own key (so only `edit` is wrong). */
function resigned(i: number, edit: (a: Record<string, unknown>) => void) {
  const { signature: _s, ...a } = structuredClone(round1[i]) as Record<string, unknown>;
  edit(a);
  return signArtifact(a, people[i].signingSecret);
}

describe('auditDkg with decode workers', () => {
  it('closes round 1 as the serial checks do: every artifact valid, the same digest', () => {
    clearPointCache();
    const audit = auditDkg(files(round1));
    expect(audit.errors.map((e) => e.message)).toEqual([]);
    expect(audit.round1.size).toBe(N);
    expect(audit.round1Digest).toBe(round1DigestOf(round1));
    expect(audit.phase).toBe('round2');
  });

  it('names the dealer whose proof of knowledge fails and the one with a small-order point', () => {
    clearPointCache();
    const smallOrder = encodePoint(Point.fromAffine({ x: 0n, y: Point.Fp.ORDER - 1n }));
    const artifacts: Record<string, unknown>[] = [...round1];
    artifacts[3] = resigned(3, (a) => (a.proofOfKnowledge = round1[4].proofOfKnowledge));
    artifacts[70] = resigned(70, (a) => ((a.commitment as string[])[5] = smallOrder));
    const audit = auditDkg(files(artifacts));
    const problems = audit.errors.map((e) => ({
      file: e.file,
      field: e.field,
      culprits: e.culprits,
      reason: e.reason,
    }));
    expect(problems).toEqual([
      { file: rel('p003'), field: 'proofOfKnowledge', culprits: ['p003'], reason: 'invalid proof of knowledge' },
      { file: rel('p070'), field: 'commitment.5', culprits: ['p070'], reason: 'point of small order' },
    ]);
    expect(audit.round1.size).toBe(N - 2);
    expect(audit.phase).toBe('invalid');
  });
});
