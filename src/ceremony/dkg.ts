/**
 * The full public audit of a genesis (DKG) ceremony: every check of docs/protocol.md §6.7 that can be
 * made without a secret. `sss-tool verify`, `status`, the participants' own commands and the
 * Action all call this one function: auditDkg runs one checker per step (checkManifest,
 * checkRound1, checkRound2, checkFinalize, with checkLaterStep for what the last two share), then
 * the round table and the phase. The steps that make these artifacts are in dkg-steps.ts.
 */
import { KeyObject, createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { x25519 } from '@noble/curves/ed25519.js';
import { DkgManifest, Finalize, MAX_PARTICIPANTS, Round1, Round2, parseWith } from '../artifacts/schemas.js';
import { startDecoding } from '../crypto/decode-pool.js';
import { badVerifyingShares, checkRound1Package, groupCommitment } from '../crypto/dkg.js';
import { CIPHERSUITE, Point, decodePoint, encodePoint, hexToBytes, identifierFor } from '../crypto/suite.js';
import { SssError, SssErrorCode, located, locatedIn, names } from '../errors.js';
import { allowedAccount, checkOneSlotPerAccount, checkReservedAccount } from './accounts.js';
import { CeremonyFiles, RawFile } from './tree.js';
import { GroupPackage, Report, Row, groupParticipant } from './report.js';
import { awaitingAfterFixes, stepState } from './table.js';
import {
  Prechecks,
  Self,
  decodeTasks,
  parsed,
  precheck,
  round1Attested,
  signedBy,
  sortedDigest,
  stepDigest,
} from './dkg-precheck.js';

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

const X25519_SPKI = Buffer.from('302a300506032b656e032100', 'hex');
/** Keys that passed checkEncryptionKey in this process (an audit's precheck checks them early). */
const goodEncryptionKeys = new Set<string>();
let probeKey: KeyObject | undefined;

/**
 * OpenSSL's X25519 (node:crypto, several times faster than noble's ladder) as a fast path for the
 * low-order check: it refuses to derive an all-zero shared secret, exactly what noble refuses, so
 * a key it derives with is not of low order; anything else goes to noble, which decides.
 */
function opensslDerives(key: Uint8Array): boolean {
  try {
    probeKey ??= generateKeyPairSync('x25519').privateKey;
    const publicKey = createPublicKey({ key: Buffer.concat([X25519_SPKI, key]), format: 'der', type: 'spki' });
    return diffieHellman({ privateKey: probeKey, publicKey }).some((b) => b !== 0);
  } catch {
    return false;
  }
}

/**
 * An X25519 public key in its canonical encoding (top bit clear, u below the field prime: so that
 * one key has one string, and comparing strings compares keys) and not of low order (a shared
 * secret with it is not all zero).
 */
export function checkEncryptionKey(hex: string, field = 'encryptionKey'): void {
  if (goodEncryptionKeys.has(hex)) return;
  const b = hexToBytes(hex);
  let u = 0n;
  for (let i = 31; i >= 0; i--) u = (u << 8n) | BigInt(b[i]);
  if (b.length !== 32 || u >= P25519)
    throw new SssError('non-canonical X25519 public key (top bit set, or u not below 2^255-19)', {
      code: 'malformed',
      field,
    });
  if (!opensslDerives(b))
    try {
      x25519.getSharedSecret(x25519.utils.randomSecretKey(), hexToBytes(hex));
    } catch {
      throw new SssError('X25519 public key of low order', { code: 'malformed', field });
    }
  if (goodEncryptionKeys.size > 100_000) goodEncryptionKeys.clear();
  goodEncryptionKeys.add(hex);
}

/**
 * The identity checks every artifact author goes through. `keysChecked`: the X25519 key was found
 * good before (an attested round 1) and is not checked again.
 */
export function checkIdentityFields(
  a: { moniker: string; identifier: string; signingKey: string; encryptionKey: string },
  file: string,
  keysChecked = false,
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
    if (!keysChecked) checkEncryptionKey(a.encryptionKey);
  } catch (e) {
    throw located(e, { file, culprit: a.moniker });
  }
}

/** SHA-256 over the canonical list of all round-1 artifacts sorted by identifier. */
export function round1DigestOf(artifacts: Round1[]): string {
  return sortedDigest(artifacts);
}

export function round2DigestOf(artifacts: Round2[]): string {
  return sortedDigest(artifacts);
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

/**
 * Audits a DKG ceremony's files. Never throws for bad input: problems land in `errors`. `self`: a
 * participant auditing for its own next step, whose own round-2 artifact spares it the costly
 * checks of the round 1 it audited before (round1Attested); the public audit (verify, the Action)
 * has none.
 */
export function auditDkg(files: CeremonyFiles, self?: Self): DkgAudit {
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
  const manifest = checkManifest(files, audit);
  if (!manifest) return audit;
  const raws = {
    round1: files.byRole.get('round1') ?? new Map<string, RawFile>(),
    round2: files.byRole.get('round2') ?? new Map<string, RawFile>(),
    finalize: files.byRole.get('finalize') ?? new Map<string, RawFile>(),
  };
  const attested = self !== undefined && round1Attested(raws, self);
  // The points decode on the other cores while this thread parses, canonicalizes and checks signatures.
  const job = startDecoding(decodeTasks(raws, attested));
  prechecks.set(audit, precheck(raws, checkEncryptionKey, attested));
  job.finish();
  const seenKeys = new Map<string, string>();
  eachFile(raws.round1, audit, (m, raw) => checkRound1(raw, m, { manifest, seenKeys, attested }, audit));
  const round1Closed = closeRound1(audit, manifest, raws.round1, files, attested);
  const monikers = new Set(audit.round1.keys());
  eachFile(raws.round2, audit, (m, raw) => checkRound2(raw, m, round1Closed, monikers, audit));
  const round2Closed =
    round1Closed && audit.round2.size === manifest.participants && raws.round2.size === manifest.participants;
  if (round2Closed)
    audit.round2Digest = stepDigest(
      prechecks.get(audit),
      'round2',
      [...audit.round2.values()].map((r) => r.artifact),
    );
  const shares: VerifyingShare[] = [];
  eachFile(raws.finalize, audit, (m, raw) => shares.push(checkFinalize(raw, m, round2Closed, audit)));
  checkVerifyingShares(shares, audit);
  tableAndPhase(audit, manifest, raws, round1Closed, round2Closed);
  return audit;
}

/** The audit's prechecks (dkg-precheck.ts), while it runs. */
const prechecks = new WeakMap<DkgAudit, Prechecks>();

/** Runs a step's checker on each of its files; a refused file is one problem, the others go on. */
function eachFile(raws: Map<string, RawFile>, audit: DkgAudit, check: (m: string, raw: RawFile) => void): void {
  for (const [m, raw] of raws) {
    try {
      check(m, raw);
    } catch (e) {
      audit.errors.push(located(e, {}));
    }
  }
}

/** ceremony.json: its schema, its id, M and N; undefined (and a problem) when it is not valid. */
function checkManifest(files: CeremonyFiles, audit: DkgAudit): DkgManifest | undefined {
  if (!files.manifest) {
    audit.errors.push(new SssError('missing ceremony.json', { code: 'io', file: `${files.dir}/ceremony.json` }));
    audit.awaiting = 'ceremony.json';
    return undefined;
  }
  try {
    const manifest = parseWith(DkgManifest, files.manifest.value, files.manifest.file);
    if (manifest.ceremony !== files.id)
      throw new SssError(`manifest names ceremony ${manifest.ceremony} but lives in ${files.id}`, {
        code: 'mismatch',
        file: files.manifest.file,
        field: 'ceremony',
      });
    checkThreshold(manifest.threshold, manifest.participants, files.manifest.file);
    audit.manifest = manifest;
    audit.threshold = manifest.threshold;
    audit.participants = manifest.participants;
    return manifest;
  } catch (e) {
    audit.errors.push(located(e, {}));
    audit.awaiting = 'a valid ceremony.json';
    return undefined;
  }
}

/** What the round-1 checker needs beside the file: the manifest, keys seen so far, round 1 attested. */
interface Round1Context {
  manifest: DkgManifest;
  seenKeys: Map<string, string>;
  attested: boolean;
}

/** Round 1: M and N as the manifest says, the allow-list, the identity, the signature, fresh keys, the proof. */
function checkRound1(raw: RawFile, m: string, { manifest, seenKeys, attested }: Round1Context, audit: DkgAudit) {
  const a = authored(parsed(prechecks.get(audit), raw, Round1), raw, m, manifest.ceremony);
  const blame = (reason: string, code: SssErrorCode, field: string) =>
    new SssError(reason, { code, file: raw.file, field, culprit: m });
  if (a.threshold !== manifest.threshold || a.participants !== manifest.participants)
    throw blame(
      `threshold/participants ${a.threshold}/${a.participants} disagree with ceremony.json (${manifest.threshold}/${manifest.participants})`,
      'mismatch',
      a.threshold !== manifest.threshold ? 'threshold' : 'participants',
    );
  if (manifest.allowList && !manifest.allowList.includes(m))
    throw blame("moniker is not on the ceremony's allow-list", 'not-allowed', 'moniker');
  const slot = `the allow-list gives ${m} to`;
  checkReservedAccount(allowedAccount(manifest, m), a.github, { file: raw.file, culprit: m, slot });
  const others = [...audit.round1.values()].map((r) => r.artifact);
  checkOneSlotPerAccount(a.github, others, { file: raw.file, culprit: m });
  checkIdentityFields(a, raw.file, attested);
  if (!attested && !signedBy(prechecks.get(audit), raw, a, a.signingKey))
    throw blame('bad artifact signature', 'signature', 'signature');
  for (const key of [a.signingKey, a.encryptionKey]) {
    const other = seenKeys.get(key);
    if (other)
      throw blame(
        `reuses a public key of ${other}`,
        'duplicate',
        key === a.signingKey ? 'signingKey' : 'encryptionKey',
      );
  }
  const checked = locatedIn({ file: raw.file, culprit: m }, () =>
    checkRound1Package(a, { min: manifest.threshold, max: manifest.participants }, attested),
  );
  seenKeys.set(a.signingKey, m);
  seenKeys.set(a.encryptionKey, m);
  audit.round1.set(m, { file: raw.file, artifact: a, x: checked.id, commitment: checked.commitment });
}

/** Round 1 closes with N valid artifacts and no other file: then its digest and the group commitment. */
function closeRound1(
  audit: DkgAudit,
  manifest: DkgManifest,
  raws: Map<string, RawFile>,
  files: CeremonyFiles,
  attested: boolean,
): boolean {
  const N = manifest.participants;
  if (audit.round1.size > N)
    audit.errors.push(
      new SssError(`${audit.round1.size} participants published round 1 but the ceremony has ${N}`, {
        code: 'incomplete',
        file: files.manifest!.file,
        field: 'participants',
      }),
    );
  const closed = audit.round1.size === N && raws.size === N;
  if (!closed) return false;
  audit.round1Digest = stepDigest(
    prechecks.get(audit),
    'round1',
    [...audit.round1.values()].map((r) => r.artifact),
  );
  try {
    audit.groupCommitment = groupCommitment(
      [...audit.round1.values()].map((r) => r.commitment),
      attested,
    );
  } catch (e) {
    audit.errors.push(...locateGroupCommitmentError(e, audit.round1, files.dir));
  }
  return true;
}

/**
 * What round 2 and finalize share: the step is open, the author has a valid round-1 artifact with
 * this identifier, and signed this one with its key; the artifact is bound to round 1's digest.
 */
function checkLaterStep<T extends { ceremony: string; moniker: string; identifier: string; round1Digest: string }>(
  a: T,
  raw: RawFile,
  m: string,
  audit: DkgAudit,
): VerifiedRound1 {
  const blame = (reason: string, code: SssErrorCode, field: string) =>
    new SssError(reason, { code, file: raw.file, field, culprit: m });
  const r1 = audit.round1.get(m);
  if (!r1) throw blame('author has no round-1 artifact in this ceremony', 'not-allowed', 'moniker');
  if (a.identifier !== r1.artifact.identifier)
    throw blame("identifier differs from the author's round-1 artifact", 'mismatch', 'identifier');
  if (!signedBy(prechecks.get(audit), raw, a, r1.artifact.signingKey))
    throw blame('bad artifact signature', 'signature', 'signature');
  return r1;
}

/** Round 2: once round 1 closed, one share for every other participant, bound to round 1's digest. */
function checkRound2(raw: RawFile, m: string, open: boolean, monikers: Set<string>, audit: DkgAudit): void {
  const N = audit.participants!;
  if (!open)
    throw new SssError(`round 2 before round 1 has closed (${audit.round1.size} of ${N} round-1 artifacts)`, {
      code: 'incomplete',
      file: raw.file,
    });
  const a = authored(parsed(prechecks.get(audit), raw, Round2), raw, m, audit.ceremony);
  checkLaterStep(a, raw, m, audit);
  const blame = (reason: string, code: SssErrorCode, field: string) =>
    new SssError(reason, { code, file: raw.file, field, culprit: m });
  if (a.round1Digest !== audit.round1Digest)
    throw blame(
      'round1Digest differs from the digest of the merged round-1 artifacts: the author saw other commitments',
      'mismatch',
      'round1Digest',
    );
  const recipients = new Set<string>();
  a.shares.forEach((s, i) => {
    const field = `shares.${i}.recipient`;
    if (s.recipient === m) throw blame('a share addressed to its own author', 'not-allowed', field);
    if (!monikers.has(s.recipient))
      throw blame(`share for ${s.recipient}, who is not a participant`, 'not-allowed', field);
    if (recipients.has(s.recipient)) throw blame(`two shares for ${s.recipient}`, 'duplicate', field);
    recipients.add(s.recipient);
  });
  if (recipients.size !== N - 1) {
    const missing = [...monikers].filter((x) => x !== m && !recipients.has(x));
    throw blame(`no share for ${names(missing)}`, 'incomplete', 'shares');
  }
  audit.round2.set(m, { file: raw.file, artifact: a });
}

interface VerifyingShare {
  id: string;
  x: bigint;
  Y: Point;
  moniker: string;
  file: string;
}

/** Finalize: once round 2 closed, bound to both digests and the group key, with a valid point Y_i. */
function checkFinalize(raw: RawFile, m: string, open: boolean, audit: DkgAudit): VerifyingShare {
  if (!open)
    throw new SssError(
      `finalize before round 2 has closed (${audit.round2.size} of ${audit.participants} round-2 artifacts)`,
      { code: 'incomplete', file: raw.file },
    );
  const a = authored(parsed(prechecks.get(audit), raw, Finalize), raw, m, audit.ceremony);
  const r1 = checkLaterStep(a, raw, m, audit);
  const blame = (reason: string, field: string) =>
    new SssError(reason, { code: 'mismatch', file: raw.file, field, culprit: m });
  if (a.round1Digest !== audit.round1Digest)
    throw blame('round1Digest differs from the merged round-1 artifacts', 'round1Digest');
  if (a.round2Digest !== audit.round2Digest)
    throw blame('round2Digest differs from the merged round-2 artifacts', 'round2Digest');
  if (!audit.groupCommitment || a.groupKey !== encodePoint(audit.groupCommitment[0]))
    throw blame('groupKey differs from the key the round-1 commitments define', 'groupKey');
  const Y = locatedIn({ file: raw.file, field: 'verifyingShare', culprit: m }, () =>
    decodePoint(a.verifyingShare, 'verifyingShare'),
  );
  audit.finalize.set(m, { file: raw.file, artifact: a });
  return { id: a.identifier, x: r1.x, Y, moniker: m, file: raw.file };
}

/** Every Y_i against the group commitment at once; a bad one is removed and named. */
function checkVerifyingShares(shares: VerifyingShare[], audit: DkgAudit): void {
  if (!shares.length || !audit.groupCommitment) return;
  const bad = new Set(badVerifyingShares(shares, audit.groupCommitment));
  for (const s of shares.filter((s) => bad.has(s.id))) {
    audit.finalize.delete(s.moniker);
    audit.errors.push(
      new SssError('verifying share does not match the group commitment', {
        code: 'inconsistent',
        file: s.file,
        field: 'verifyingShare',
        culprit: s.moniker,
      }),
    );
  }
}

/** The round table, the phase and what is awaited. */
function tableAndPhase(
  audit: DkgAudit,
  manifest: DkgManifest,
  raws: Record<'round1' | 'round2' | 'finalize', Map<string, RawFile>>,
  round1Closed: boolean,
  round2Closed: boolean,
): void {
  const N = manifest.participants;
  const all = [...new Set([...(manifest.allowList ?? []), ...raws.round1.keys()])].sort();
  const open = { round1: true, round2: round1Closed, finalize: round2Closed };
  audit.rows = all.map((m): Row => ({
    moniker: m,
    // A reserved slot is someone's before they submit: the tracking issue can mention them.
    github: audit.round1.get(m)?.artifact.github ?? allowedAccount(manifest, m),
    steps: Object.fromEntries(
      (['round1', 'round2', 'finalize'] as const).map((k) => [k, stepState(audit[k].has(m), raws[k].has(m), open[k])]),
    ),
  }));
  const waitingFor = (step: 'round1' | 'round2' | 'finalize') =>
    audit.rows.filter((r) => r.steps[step] !== 'done').map((r) => r.moniker);
  const problems = audit.errors.length > 0;
  if (!round1Closed) {
    audit.phase = problems ? 'invalid' : 'round1';
    const missing = N - audit.round1.size;
    const named = waitingFor('round1').filter((m) => !raws.round1.has(m) || !audit.round1.has(m));
    audit.awaiting = `round 1 from ${missing} more participant${missing === 1 ? '' : 's'}${named.length ? ` (${named.join(', ')})` : ''}`;
  } else if (!round2Closed) {
    audit.phase = problems ? 'invalid' : 'round2';
    audit.awaiting = `round 2 from ${waitingFor('round2').join(', ')}`;
  } else if (audit.finalize.size < N || raws.finalize.size !== audit.finalize.size) {
    audit.phase = problems ? 'invalid' : 'finalize';
    audit.awaiting = `finalize from ${waitingFor('finalize').join(', ')}`;
  } else if (!problems && audit.groupCommitment) {
    audit.phase = 'complete';
    audit.awaiting = 'nothing: the ceremony is complete';
    audit.group = genesisGroup(audit, manifest, audit.groupCommitment);
  }
  audit.awaiting = awaitingAfterFixes(audit, audit.awaiting);
  audit.digests = {
    ...(audit.round1Digest ? { round1: audit.round1Digest } : {}),
    ...(audit.round2Digest ? { round2: audit.round2Digest } : {}),
  };
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
