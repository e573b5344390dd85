/**
 * The full public audit of a genesis (DKG) ceremony: every check of docs/protocol.md §6.7 that can be
 * made without a secret. `sss-tool verify`, `status`, the participants' own commands and the
 * Action all call this one function.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { digest, verifyArtifactSignature } from '../artifacts/canonical.js';
import { DkgManifest, Finalize, MAX_PARTICIPANTS, Round1, Round2, parseWith } from '../artifacts/schemas.js';
import { badVerifyingShares, checkRound1Package, groupCommitment } from '../crypto/dkg.js';
import {
  CIPHERSUITE,
  Point,
  decodePoint,
  encodePoint,
  hexToBytes,
  identifierFor,
  identifierToScalar,
} from '../crypto/suite.js';
import { SssError, located, names } from '../errors.js';
import { CeremonyFiles, RawFile } from './tree.js';
import { GroupPackage, Report, Row, groupParticipant } from './report.js';

export interface VerifiedRound1 {
  file: string;
  artifact: Round1;
  x: bigint;
  commitment: Point[];
}

export interface DkgAudit extends Report {
  manifest?: DkgManifest;
  /** Valid round-1 artifacts by moniker. */
  round1: Map<string, VerifiedRound1>;
  round2: Map<string, { file: string; artifact: Round2 }>;
  finalize: Map<string, { file: string; artifact: Finalize }>;
  round1Digest?: string;
  round2Digest?: string;
  /** Decoded group commitment, once round 1 is closed. */
  groupCommitment?: Point[];
}

/** Checks M and N as docs/protocol.md §6.1 bounds them. */
export function checkThreshold(threshold: number, participants: number, file?: string): void {
  if (!Number.isInteger(participants) || participants < 2 || participants > MAX_PARTICIPANTS)
    throw new SssError(`participants must be an integer from 2 to ${MAX_PARTICIPANTS}`, {
      code: 'malformed',
      file,
      field: 'participants',
    });
  if (!Number.isInteger(threshold) || threshold < 2)
    throw new SssError('threshold must be an integer of at least 2', { code: 'malformed', file, field: 'threshold' });
  if (threshold > participants)
    throw new SssError(`threshold ${threshold} exceeds participants ${participants}`, {
      code: 'malformed',
      file,
      field: 'threshold',
    });
}

const P25519 = 2n ** 255n - 19n;

/**
 * An X25519 public key in its canonical encoding (top bit clear, u below the field prime: so that
 * one key has one string, and comparing strings compares keys) and not of low order (a shared
 * secret with it is not all zero).
 */
export function checkEncryptionKey(hex: string, field = 'encryptionKey'): void {
  const b = hexToBytes(hex);
  let u = 0n;
  for (let i = 31; i >= 0; i--) u = (u << 8n) | BigInt(b[i]);
  if (b.length !== 32 || u >= P25519)
    throw new SssError('non-canonical X25519 public key (top bit set, or u not below 2^255-19)', {
      code: 'malformed',
      field,
    });
  try {
    x25519.getSharedSecret(x25519.utils.randomSecretKey(), hexToBytes(hex));
  } catch {
    throw new SssError('X25519 public key of low order', { code: 'malformed', field });
  }
}

/** The identity checks every artifact author goes through. */
export function checkIdentityFields(
  a: { moniker: string; identifier: string; signingKey: string; encryptionKey: string },
  file: string,
): void {
  if (a.identifier !== identifierFor(a.moniker))
    throw new SssError('identifier is not the one derived from the moniker', {
      code: 'mismatch',
      file,
      field: 'identifier',
      culprit: a.moniker,
    });
  try {
    decodePoint(a.signingKey, 'signingKey');
    checkEncryptionKey(a.encryptionKey);
  } catch (e) {
    throw located(e, { file, culprit: a.moniker });
  }
}

const byIdentifier = <T extends { artifact: { identifier: string } }>(a: T, b: T) => {
  const x = identifierToScalar(a.artifact.identifier);
  const y = identifierToScalar(b.artifact.identifier);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** SHA-256 over the canonical list of all round-1 artifacts sorted by identifier. */
export function round1DigestOf(artifacts: Round1[]): string {
  return digest(
    [...artifacts]
      .map((artifact) => ({ artifact }))
      .sort(byIdentifier)
      .map((r) => r.artifact),
  );
}

export function round2DigestOf(artifacts: Round2[]): string {
  return digest(
    [...artifacts]
      .map((artifact) => ({ artifact }))
      .sort(byIdentifier)
      .map((r) => r.artifact),
  );
}

function authored<T extends { ceremony: string; moniker: string }>(
  a: T,
  raw: RawFile,
  fileMoniker: string,
  ceremony: string,
): T {
  if (a.moniker !== fileMoniker)
    throw new SssError(`the file is named for ${fileMoniker} but the artifact's moniker is ${a.moniker}`, {
      code: 'mismatch',
      file: raw.file,
      field: 'moniker',
    });
  if (a.ceremony !== ceremony)
    throw new SssError(`artifact belongs to ceremony ${a.ceremony}, not ${ceremony}`, {
      code: 'mismatch',
      file: raw.file,
      field: 'ceremony',
      culprit: a.moniker,
    });
  return a;
}

/** Audits a DKG ceremony's files. Never throws for bad input: problems land in `errors`. */
export function auditDkg(files: CeremonyFiles): DkgAudit {
  const audit: DkgAudit = {
    ceremony: files.id,
    kind: 'dkg',
    phase: 'invalid',
    steps: ['round1', 'round2', 'finalize'],
    rows: [],
    awaiting: '',
    errors: [...files.errors],
    round1: new Map(),
    round2: new Map(),
    finalize: new Map(),
  };
  const err = (e: unknown) => audit.errors.push(located(e, {}));
  if (!files.manifest) {
    err(new SssError('missing ceremony.json', { code: 'io', file: `${files.dir}/ceremony.json` }));
    audit.awaiting = 'ceremony.json';
    return audit;
  }
  let manifest: DkgManifest;
  try {
    manifest = parseWith(DkgManifest, files.manifest.value, files.manifest.file);
    if (manifest.ceremony !== files.id)
      throw new SssError(`manifest names ceremony ${manifest.ceremony} but lives in ${files.id}`, {
        code: 'mismatch',
        file: files.manifest.file,
        field: 'ceremony',
      });
    checkThreshold(manifest.threshold, manifest.participants, files.manifest.file);
  } catch (e) {
    err(e);
    audit.awaiting = 'a valid ceremony.json';
    return audit;
  }
  audit.manifest = manifest;
  audit.threshold = manifest.threshold;
  audit.participants = manifest.participants;
  const N = manifest.participants;
  const signers = { min: manifest.threshold, max: N };

  // Round 1.
  const seenKeys = new Map<string, string>();
  for (const [m, raw] of files.byRole.get('round1') ?? []) {
    try {
      const a = authored(parseWith(Round1, raw.value, raw.file), raw, m, files.id);
      if (a.threshold !== manifest.threshold || a.participants !== N)
        throw new SssError(
          `threshold/participants ${a.threshold}/${a.participants} disagree with ceremony.json (${manifest.threshold}/${N})`,
          {
            code: 'mismatch',
            file: raw.file,
            field: a.threshold !== manifest.threshold ? 'threshold' : 'participants',
            culprit: m,
          },
        );
      if (manifest.allowList && !manifest.allowList.includes(m))
        throw new SssError("moniker is not on the ceremony's allow-list", {
          code: 'not-allowed',
          file: raw.file,
          field: 'moniker',
          culprit: m,
        });
      checkIdentityFields(a, raw.file);
      if (!verifyArtifactSignature(a, a.signingKey))
        throw new SssError('bad artifact signature', {
          code: 'signature',
          file: raw.file,
          field: 'signature',
          culprit: m,
        });
      for (const key of [a.signingKey, a.encryptionKey]) {
        const other = seenKeys.get(key);
        if (other)
          throw new SssError(`reuses a public key of ${other}`, {
            code: 'duplicate',
            file: raw.file,
            field: key === a.signingKey ? 'signingKey' : 'encryptionKey',
            culprit: m,
          });
      }
      let checked;
      try {
        checked = checkRound1Package(a, signers);
      } catch (e) {
        throw located(e, { file: raw.file, culprit: m });
      }
      seenKeys.set(a.signingKey, m);
      seenKeys.set(a.encryptionKey, m);
      audit.round1.set(m, { file: raw.file, artifact: a, x: checked.id, commitment: checked.commitment });
    } catch (e) {
      err(e);
    }
  }
  const round1Files = files.byRole.get('round1') ?? new Map();
  if (audit.round1.size > N)
    err(
      new SssError(`${audit.round1.size} participants published round 1 but the ceremony has ${N}`, {
        code: 'incomplete',
        file: files.manifest.file,
        field: 'participants',
      }),
    );
  const round1Closed = audit.round1.size === N && round1Files.size === N;
  if (round1Closed) {
    audit.round1Digest = round1DigestOf([...audit.round1.values()].map((r) => r.artifact));
    try {
      audit.groupCommitment = groupCommitment([...audit.round1.values()].map((r) => r.commitment));
    } catch (e) {
      for (const found of locateGroupCommitmentError(e, audit.round1, files.dir)) err(found);
    }
  }
  const monikers = new Set(audit.round1.keys());

  // Round 2.
  const round2Files = files.byRole.get('round2') ?? new Map();
  for (const [m, raw] of round2Files) {
    try {
      if (!round1Closed)
        throw new SssError(`round 2 before round 1 has closed (${audit.round1.size} of ${N} round-1 artifacts)`, {
          code: 'incomplete',
          file: raw.file,
        });
      const a = authored(parseWith(Round2, raw.value, raw.file), raw, m, files.id);
      const r1 = audit.round1.get(m);
      if (!r1)
        throw new SssError('author has no round-1 artifact in this ceremony', {
          code: 'not-allowed',
          file: raw.file,
          field: 'moniker',
          culprit: m,
        });
      if (a.identifier !== r1.artifact.identifier)
        throw new SssError("identifier differs from the author's round-1 artifact", {
          code: 'mismatch',
          file: raw.file,
          field: 'identifier',
          culprit: m,
        });
      if (!verifyArtifactSignature(a, r1.artifact.signingKey))
        throw new SssError('bad artifact signature', {
          code: 'signature',
          file: raw.file,
          field: 'signature',
          culprit: m,
        });
      if (a.round1Digest !== audit.round1Digest)
        throw new SssError(
          'round1Digest differs from the digest of the merged round-1 artifacts: the author saw other commitments',
          { code: 'mismatch', file: raw.file, field: 'round1Digest', culprit: m },
        );
      const recipients = new Set<string>();
      a.shares.forEach((s, i) => {
        if (s.recipient === m)
          throw new SssError('a share addressed to its own author', {
            code: 'not-allowed',
            file: raw.file,
            field: `shares.${i}.recipient`,
            culprit: m,
          });
        if (!monikers.has(s.recipient))
          throw new SssError(`share for ${s.recipient}, who is not a participant`, {
            code: 'not-allowed',
            file: raw.file,
            field: `shares.${i}.recipient`,
            culprit: m,
          });
        if (recipients.has(s.recipient))
          throw new SssError(`two shares for ${s.recipient}`, {
            code: 'duplicate',
            file: raw.file,
            field: `shares.${i}.recipient`,
            culprit: m,
          });
        recipients.add(s.recipient);
      });
      if (recipients.size !== N - 1) {
        const missing = [...monikers].filter((x) => x !== m && !recipients.has(x));
        throw new SssError(`no share for ${names(missing)}`, {
          code: 'incomplete',
          file: raw.file,
          field: 'shares',
          culprit: m,
        });
      }
      audit.round2.set(m, { file: raw.file, artifact: a });
    } catch (e) {
      err(e);
    }
  }
  const round2Closed = round1Closed && audit.round2.size === N && round2Files.size === N;
  if (round2Closed) audit.round2Digest = round2DigestOf([...audit.round2.values()].map((r) => r.artifact));

  // Finalize.
  const finalizeFiles = files.byRole.get('finalize') ?? new Map();
  const shares: { id: string; x: bigint; Y: Point; moniker: string; file: string }[] = [];
  for (const [m, raw] of finalizeFiles) {
    try {
      if (!round2Closed)
        throw new SssError(`finalize before round 2 has closed (${audit.round2.size} of ${N} round-2 artifacts)`, {
          code: 'incomplete',
          file: raw.file,
        });
      const a = authored(parseWith(Finalize, raw.value, raw.file), raw, m, files.id);
      const r1 = audit.round1.get(m);
      if (!r1)
        throw new SssError('author has no round-1 artifact in this ceremony', {
          code: 'not-allowed',
          file: raw.file,
          field: 'moniker',
          culprit: m,
        });
      if (a.identifier !== r1.artifact.identifier)
        throw new SssError("identifier differs from the author's round-1 artifact", {
          code: 'mismatch',
          file: raw.file,
          field: 'identifier',
          culprit: m,
        });
      if (!verifyArtifactSignature(a, r1.artifact.signingKey))
        throw new SssError('bad artifact signature', {
          code: 'signature',
          file: raw.file,
          field: 'signature',
          culprit: m,
        });
      if (a.round1Digest !== audit.round1Digest)
        throw new SssError('round1Digest differs from the merged round-1 artifacts', {
          code: 'mismatch',
          file: raw.file,
          field: 'round1Digest',
          culprit: m,
        });
      if (a.round2Digest !== audit.round2Digest)
        throw new SssError('round2Digest differs from the merged round-2 artifacts', {
          code: 'mismatch',
          file: raw.file,
          field: 'round2Digest',
          culprit: m,
        });
      if (!audit.groupCommitment || a.groupKey !== encodePoint(audit.groupCommitment[0]))
        throw new SssError('groupKey differs from the key the round-1 commitments define', {
          code: 'mismatch',
          file: raw.file,
          field: 'groupKey',
          culprit: m,
        });
      let Y: Point;
      try {
        Y = decodePoint(a.verifyingShare, 'verifyingShare');
      } catch (e) {
        throw located(e, { file: raw.file, field: 'verifyingShare', culprit: m });
      }
      shares.push({ id: a.identifier, x: r1.x, Y, moniker: m, file: raw.file });
      audit.finalize.set(m, { file: raw.file, artifact: a });
    } catch (e) {
      err(e);
    }
  }
  if (shares.length && audit.groupCommitment) {
    const bad = new Set(badVerifyingShares(shares, audit.groupCommitment));
    for (const s of shares.filter((s) => bad.has(s.id))) {
      audit.finalize.delete(s.moniker);
      err(
        new SssError('verifying share does not match the group commitment', {
          code: 'inconsistent',
          file: s.file,
          field: 'verifyingShare',
          culprit: s.moniker,
        }),
      );
    }
  }

  // Phase, table and what is awaited.
  const all = [...new Set([...(manifest.allowList ?? []), ...round1Files.keys()])].sort();
  const state = (map: Map<string, unknown>, rawMap: Map<string, RawFile>, open: boolean, m: string) =>
    map.has(m) ? 'done' : rawMap.has(m) ? 'invalid' : open ? 'awaited' : '-';
  audit.rows = all.map((m): Row => ({
    moniker: m,
    github: audit.round1.get(m)?.artifact.github,
    steps: {
      round1: state(audit.round1, round1Files, true, m),
      round2: state(audit.round2, round2Files, round1Closed, m),
      finalize: state(audit.finalize, finalizeFiles, round2Closed, m),
    },
  }));
  const waitingFor = (step: 'round1' | 'round2' | 'finalize') =>
    audit.rows.filter((r) => r.steps[step] !== 'done').map((r) => r.moniker);
  if (audit.errors.length) audit.phase = 'invalid';
  if (!round1Closed) {
    audit.phase = audit.errors.length ? 'invalid' : 'round1';
    const missing = N - audit.round1.size;
    const named = waitingFor('round1').filter((m) => !round1Files.has(m) || !audit.round1.has(m));
    audit.awaiting = `round 1 from ${missing} more participant${missing === 1 ? '' : 's'}${named.length ? ` (${named.join(', ')})` : ''}`;
  } else if (!round2Closed) {
    audit.phase = audit.errors.length ? 'invalid' : 'round2';
    audit.awaiting = `round 2 from ${waitingFor('round2').join(', ')}`;
  } else if (audit.finalize.size < N || finalizeFiles.size !== audit.finalize.size) {
    audit.phase = audit.errors.length ? 'invalid' : 'finalize';
    audit.awaiting = `finalize from ${waitingFor('finalize').join(', ')}`;
  } else if (!audit.errors.length && audit.groupCommitment) {
    audit.phase = 'complete';
    audit.awaiting = 'nothing: the ceremony is complete';
    audit.group = genesisGroup(audit, manifest, audit.groupCommitment);
  }
  if (audit.errors.length)
    audit.awaiting = `fixes for ${audit.errors.length} problem${audit.errors.length === 1 ? '' : 's'}; then ${audit.awaiting}`;
  audit.digests = {
    ...(audit.round1Digest ? { round1: audit.round1Digest } : {}),
    ...(audit.round2Digest ? { round2: audit.round2Digest } : {}),
  };
  return audit;
}

/**
 * Locates why the group commitment was refused. Decoding checks each point but not its subgroup
 * (too dear for N·M points), and the proof of knowledge covers C_j0 only: a dealer can publish a
 * point with a torsion component and sign it. Only now, on failure, are the dealers' points
 * subgroup-checked, to name the culprit and file; a sum that is the identity names no single one.
 */
function locateGroupCommitmentError(e: unknown, round1: Map<string, VerifiedRound1>, dir: string): SssError[] {
  const out: SssError[] = [];
  for (const r of round1.values())
    r.commitment.forEach((p, k) => {
      if (!p.isTorsionFree())
        out.push(
          new SssError('commitment point is not in the prime-order subgroup', {
            code: 'malformed',
            file: r.file,
            field: `commitment.${k}`,
            culprit: r.artifact.moniker,
          }),
        );
    });
  if (out.length) return out;
  return [located(e, { file: `${dir}/round1` })];
}

function genesisGroup(audit: DkgAudit, manifest: DkgManifest, C: Point[]): GroupPackage {
  const participants = [...audit.round1.values()]
    .map(({ artifact: a }) =>
      groupParticipant(a, audit.finalize.get(a.moniker)!.artifact.verifyingShare, manifest.ceremony),
    )
    .sort((a, b) => (a.moniker < b.moniker ? -1 : 1));
  return {
    format: 'sss-tool/group@1',
    ciphersuite: CIPHERSUITE,
    publicKey: encodePoint(C[0]),
    threshold: manifest.threshold,
    commitment: C.map(encodePoint),
    participants,
    ceremonies: [{ id: manifest.ceremony, kind: 'dkg' }],
  };
}
