/**
 * What a genesis audit (dkg.ts) works out while the points decode on the other cores: each file
 * parsed with its schema and canonicalized once, each signature checked against its author's
 * round-1 key, each step's digest, the X25519 key checks; and the decode tasks themselves. The
 * checkers in dkg.ts apply these verdicts in their own order (docs/design.md, "Verification on
 * every core"); nothing here reports a problem.
 */
import {
  CanonicalArtifact,
  canonicalArtifact,
  digestOfCanonical,
  verifyArtifactSignature,
} from '../artifacts/canonical.js';
import { Finalize, Round1, Round2, parseWith } from '../artifacts/schemas.js';
import { DecodeTask } from '../crypto/decode-pool.js';
import { proofKnown } from '../crypto/dkg.js';
import { identifierToScalar } from '../crypto/suite.js';
import { RawFile } from './tree.js';

interface Prechecked {
  artifact?: object;
  error?: unknown;
  canonical?: CanonicalArtifact;
  signature?: { key: string; ok: boolean };
}

export interface Prechecks {
  files: Map<RawFile, Prechecked>;
  canonical: Map<object, CanonicalArtifact>;
  /** Each step's digest over all its parsed artifacts (the step's digest when all of them are valid). */
  digests: Map<'round1' | 'round2', { of: Set<object>; digest: string }>;
}

const SCHEMAS = { round1: Round1, round2: Round2, finalize: Finalize };
export type Raws = Record<'round1' | 'round2' | 'finalize', Map<string, RawFile>>;

export function precheck(raws: Raws, checkEncryptionKey: (hex: string) => void, attested = false): Prechecks {
  const out = new Map<RawFile, Prechecked>();
  const canonical = new Map<object, CanonicalArtifact>();
  for (const role of ['round1', 'round2', 'finalize'] as const)
    for (const raw of raws[role].values()) {
      const p: Prechecked = {};
      try {
        p.artifact = parseWith<object>(SCHEMAS[role], raw.value, raw.file);
        p.canonical = canonicalArtifact(p.artifact as Record<string, unknown>);
        canonical.set(p.artifact, p.canonical);
        if (role === 'round1' && !attested) checkEncryptionKey((p.artifact as Round1).encryptionKey);
      } catch (e) {
        if (!p.artifact) p.error = e;
      }
      out.set(raw, p);
    }
  for (const role of ['round1', 'round2', 'finalize'] as const)
    for (const [m, raw] of raws[role]) {
      const p = out.get(raw)!;
      const author = raws.round1.get(m);
      const key = (author && (out.get(author)?.artifact as Round1 | undefined))?.signingKey;
      if (p.artifact && p.canonical && typeof key === 'string' && !(role === 'round1' && attested))
        p.signature = { key, ok: verifyArtifactSignature(p.artifact as Round1, key, p.canonical.signingInput) };
    }
  const digests: Prechecks['digests'] = new Map();
  for (const role of ['round1', 'round2'] as const) {
    const all = [...raws[role].values()].map((r) => out.get(r)!.artifact as Round1 | undefined);
    try {
      if (all.length && all.every((a) => a && canonical.has(a)))
        digests.set(role, {
          of: new Set(all as object[]),
          digest: sortedDigest(all as Round1[], (a) => canonical.get(a)!),
        });
    } catch {
      // An identifier that is not a scalar: its checker reports it; the digest is taken later if at all.
    }
  }
  return { files: out, canonical, digests };
}

/** A step's digest over these artifacts: precheck's when they are exactly the ones it hashed. */
export function stepDigest<T extends { identifier: string }>(
  pre: Prechecks | undefined,
  step: 'round1' | 'round2',
  artifacts: T[],
): string {
  const all = pre?.digests.get(step);
  if (all && all.of.size === artifacts.length && artifacts.every((a) => all.of.has(a))) return all.digest;
  return sortedDigest(artifacts, (a) => pre?.canonical.get(a) ?? canonicalArtifact(a as Record<string, unknown>));
}

/** The file's artifact under its schema (parsed once, by precheck), or the schema's error. */
export function parsed<T>(pre: Prechecks | undefined, raw: RawFile, schema: { parse(v: unknown): T }): T {
  const p = pre?.files.get(raw);
  if (p?.error) throw p.error;
  if (p?.artifact) return p.artifact as T;
  return parseWith(schema as never, raw.value, raw.file) as T;
}

/** Whether the artifact's signature verifies under `key` (precheck's verdict when it had that key). */
export function signedBy(pre: Prechecks | undefined, raw: RawFile, a: object, key: string): boolean {
  const p = pre?.files.get(raw);
  if (p?.signature && p.artifact === a && p.signature.key === key) return p.signature.ok;
  return verifyArtifactSignature(a as Round1, key, p?.artifact === a ? p.canonical?.signingInput : undefined);
}

/**
 * The points an audit will decode, read from the files as they are (the checkers validate them):
 * each dealer's commitment (with its proof of knowledge's R, and its signing key) as one task
 * whose proof is checked too (unless already known to hold), and the verifying shares, whose prime
 * order is checked too.
 */
export function decodeTasks(raws: Raws, attested = false): DecodeTask[] {
  const str = (v: unknown): v is string => typeof v === 'string';
  const tasks: DecodeTask[] = [];
  for (const raw of raws.round1.values()) {
    const v = (raw.value ?? {}) as Record<string, unknown>;
    const commitment = Array.isArray(v.commitment) ? v.commitment.filter(str) : [];
    const { identifier, proofOfKnowledge: pok } = v;
    const known =
      attested || (str(identifier) && str(pok) && str(commitment[0]) && proofKnown(identifier, commitment[0], pok));
    const proof = str(identifier) && str(pok) && !known ? { identifier, proofOfKnowledge: pok } : undefined;
    tasks.push({ points: [...commitment, ...[proof?.proofOfKnowledge.slice(0, 64), v.signingKey].filter(str)], proof });
  }
  const shares = [...raws.finalize.values()].map((r) => (r.value as { verifyingShare?: unknown })?.verifyingShare);
  for (let i = 0; i < shares.length; i += 16)
    tasks.push({ points: shares.slice(i, i + 16).filter(str), primeOrder: true });
  return tasks;
}

const byIdentifier = <T extends { artifact: { identifier: string } }>(a: T, b: T) => {
  const x = identifierToScalar(a.artifact.identifier);
  const y = identifierToScalar(b.artifact.identifier);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** digest() of the artifacts sorted by identifier, each canonicalized once (`canonical` has them). */
export function sortedDigest<T extends { identifier: string }>(
  artifacts: T[],
  canonical?: (a: T) => CanonicalArtifact,
): string {
  const sorted = [...artifacts].map((artifact) => ({ artifact })).sort(byIdentifier);
  return digestOfCanonical(
    sorted.map(({ artifact: a }) => (canonical ? canonical(a) : canonicalArtifact(a as Record<string, unknown>)).text),
  );
}

/** Who runs the audit, when it is a participant's own (the CLI's dkg steps): its public keys. */
export interface Self {
  moniker: string;
  signingKey: string;
}

/**
 * Whether round 1 is as this participant audited it before dealing round 2 (docs/protocol.md
 * §6.7). sss-tool signs a round-2 artifact only after a full audit of a closed round 1, and the
 * artifact names that round's digest: so when `self`'s own round-2 artifact, verified under its
 * own key (the key its round-1 artifact publishes), names the digest the round-1 files have now,
 * every check that round 1 alone decides (signatures, X25519 keys, proofs of knowledge, the group
 * commitment's prime order) came out as it did then, and the audit does not redo the expensive
 * ones. noble's DKG.round3 (and frost-rs's part3) likewise trust the round-1 transcript their
 * round 2 authenticated. The digest is over the files' canonical JSON: any other byte in round 1
 * fails the match, and everything is checked. `self.signingKey` is identity.json's: dkg-finalize
 * then opens the identity, which fails unless identity.json matches the encrypted keys.
 */
export function round1Attested(raws: Raws, self: Self): boolean {
  const mine1 = raws.round1.get(self.moniker)?.value as Partial<Round1> | undefined;
  const mine2 = raws.round2.get(self.moniker)?.value as Partial<Round2> | undefined;
  if (mine1?.signingKey !== self.signingKey || typeof mine2?.round1Digest !== 'string') return false;
  try {
    if (!verifyArtifactSignature(mine2 as Record<string, unknown>, self.signingKey)) return false;
    return sortedDigest([...raws.round1.values()].map((r) => r.value as Round1)) === mine2.round1Digest;
  } catch {
    // Not JSON data, an identifier that is not a scalar, a field of the wrong type: no attestation.
    return false;
  }
}
