/**
 * The full public audit of a reshare ceremony (docs/resharing.md): the proposal against the group
 * state it replaces, every dealing (signed by its dealer, bound to the proposal, its constant term
 * equal to the dealer's verifying share, one ciphertext per new holder), the qualified set Q the
 * finalize artifacts name (the same in all of them), the new commitment C' = Σ_{i∈Q} λ_i·E_i and
 * each new holder's verifying share against it. `sss-tool verify`, `status`, the participants'
 * commands and the Action call `auditReshare`; the repository chains it like a join.
 */
import { digest as digestOf, jcs, verifyArtifactSignature } from '../artifacts/canonical.js';
import { identityFields } from '../artifacts/identity.js';
import {
  ReshareDealing,
  ReshareFinalize,
  ReshareManifest,
  dealingsDigestOf,
  proposalDigestOf,
} from '../artifacts/reshare.js';
import { MAX_PARTICIPANTS, parseWith } from '../artifacts/schemas.js';
import { badVerifyingShares } from '../crypto/dkg.js';
import { qualifiedWeights, resharedCommitment } from '../crypto/reshare.js';
import { CIPHERSUITE, Point, decodePoint, encodePoint, identifierToScalar } from '../crypto/suite.js';
import { SssError, SssErrorCode, located, names } from '../errors.js';
import { checkIdentityFields } from './dkg.js';
import { GroupPackage, GroupParticipant, Report, Row, StepState, epochOf, groupParticipant } from './report.js';
import { CeremonyFiles, RawFile } from './tree.js';

/** A holder of the new group, as the proposal names it. */
export interface NewHolder {
  identity: ReshareManifest['holders'][number];
  x: bigint;
}

/** An old holder asked to deal, with its verifying share from the group state. */
export interface Dealer {
  participant: GroupParticipant;
  x: bigint;
}

export interface VerifiedDealing {
  file: string;
  artifact: ReshareDealing;
  x: bigint;
  /** E_i, decoded. */
  commitment: Point[];
}

export interface ReshareAudit extends Report {
  manifest?: ReshareManifest;
  groupBefore?: GroupPackage;
  proposalDigest?: string;
  /** The new holder set, in the proposal's order (by identifier). */
  holders: NewHolder[];
  dealers: Map<string, Dealer>;
  /** Valid dealings by dealer moniker. */
  dealings: Map<string, VerifiedDealing>;
  /** Q as the merged finalize artifacts name it; before any, the first M valid dealers by identifier. */
  qualified?: string[];
  /** True once a merged finalize artifact fixed Q. */
  qualifiedFixed: boolean;
  /** C' over Q, once Q is known and its dealings valid. */
  newCommitment?: Point[];
  /** SHA-256 of Q's dealings, sorted by identifier (with newCommitment; hashed once: it is large). */
  dealingsDigest?: string;
  finalize: Map<string, { file: string; artifact: ReshareFinalize }>;
}

const STEPS = ['dealing', 'finalize'];
/** A located problem; `code` (docs/errors.md) is what a library caller matches on. */
const fail = (reason: string, file: string, field?: string, culprit?: string, code: SssErrorCode = 'mismatch') =>
  new SssError(reason, { code, file, field, culprit });
const asError = (e: unknown) =>
  e instanceof SssError ? e : new SssError(String((e as Error)?.message ?? e), { code: 'invalid' });
const byX = <T extends { x: bigint }>(a: T, b: T) => (a.x < b.x ? -1 : a.x > b.x ? 1 : 0);

/** The ceremony's `extends`, if any (the repository chains reshares and joins by it). */
export function reshareExtends(files: CeremonyFiles): string | undefined {
  const v = files.manifest?.value as { extends?: unknown } | undefined;
  return typeof v?.extends === 'string' ? v.extends : undefined;
}

/**
 * Audits a reshare against the group state before it (undefined while there is none). Never
 * throws for bad input: problems land in `errors`, naming the file, the field and the culprit.
 */
export function auditReshare(files: CeremonyFiles, groupBefore: GroupPackage | undefined): ReshareAudit {
  const audit: ReshareAudit = {
    ceremony: files.id,
    kind: 'reshare',
    phase: 'invalid',
    steps: STEPS,
    rows: [],
    awaiting: '',
    errors: [...files.errors],
    holders: [],
    dealers: new Map(),
    dealings: new Map(),
    qualifiedFixed: false,
    finalize: new Map(),
  };
  const setup = checkSetup(files, groupBefore, audit);
  if (setup) return finish(audit, setup);
  for (const [m, raw] of files.byRole.get('dealings') ?? []) {
    try {
      const d = checkDealing(raw, m, audit);
      audit.dealings.set(m, d);
    } catch (e) {
      audit.errors.push(asError(e));
    }
  }
  settleQualified(files, audit);
  checkFinalizes(files, audit);
  return conclude(files, audit);
}

function finish(audit: ReshareAudit, awaiting: string): ReshareAudit {
  const n = audit.errors.length;
  if (n) audit.phase = 'invalid';
  audit.awaiting = n ? `fixes for ${n} problem${n === 1 ? '' : 's'}; then ${awaiting}` : awaiting;
  audit.digests = {
    ...(audit.proposalDigest ? { proposal: audit.proposalDigest } : {}),
    ...(audit.dealingsDigest ? { dealings: audit.dealingsDigest } : {}),
  };
  return audit;
}

/** The manifest and the group it replaces. Returns what is awaited when the audit cannot go on. */
function checkSetup(
  files: CeremonyFiles,
  groupBefore: GroupPackage | undefined,
  audit: ReshareAudit,
): string | undefined {
  if (!files.manifest) {
    audit.errors.push(new SssError('missing ceremony.json', { code: 'io', file: `${files.dir}/ceremony.json` }));
    return 'ceremony.json';
  }
  const file = files.manifest.file;
  let manifest: ReshareManifest;
  try {
    manifest = parseWith(ReshareManifest, files.manifest.value, file);
    if (manifest.ceremony !== files.id)
      throw fail(`manifest names ceremony ${manifest.ceremony} but lives in ${files.id}`, file, 'ceremony');
  } catch (e) {
    audit.errors.push(asError(e));
    return 'a valid ceremony.json';
  }
  audit.manifest = manifest;
  audit.threshold = manifest.newThreshold;
  audit.participants = manifest.holders.length;
  if (!groupBefore || !groupBefore.ceremonies.some((c) => c.id === manifest.extends)) {
    audit.phase = 'setup';
    return `the group: ceremony ${manifest.extends}, which this reshare replaces, is not complete`;
  }
  try {
    checkAgainstGroup(manifest, groupBefore, file);
    audit.dealers = checkDealers(manifest, groupBefore, file);
    audit.holders = checkHolders(manifest, groupBefore, file);
  } catch (e) {
    audit.errors.push(asError(e));
    return 'a valid ceremony.json';
  }
  audit.groupBefore = groupBefore;
  audit.proposalDigest = proposalDigestOf(manifest);
  return undefined;
}

/** The proposal starts from the group's current state, keeps its key, and moves the epoch on by one. */
function checkAgainstGroup(manifest: ReshareManifest, group: GroupPackage, file: string): void {
  const last = group.ceremonies[group.ceremonies.length - 1].id;
  if (manifest.extends !== last)
    throw fail(
      `extends ${manifest.extends}, but the group has changed since (its last ceremony is ${last}): make a new proposal`,
      file,
      'extends',
    );
  if (manifest.groupDigest !== digestOf(group))
    throw fail(`groupDigest is not the digest of the group state after ${last}`, file, 'groupDigest');
  if (manifest.publicKey !== group.publicKey) throw fail('publicKey differs from the group key', file, 'publicKey');
  if (manifest.threshold !== group.threshold)
    throw fail(`threshold ${manifest.threshold} differs from the group's ${group.threshold}`, file, 'threshold');
  if (manifest.epoch !== epochOf(group) + 1)
    throw fail(`epoch ${manifest.epoch} is not the group's epoch plus one (${epochOf(group) + 1})`, file, 'epoch');
  const n = manifest.holders.length;
  if (!Number.isInteger(manifest.newThreshold) || manifest.newThreshold < 2 || manifest.newThreshold > n)
    throw fail(`newThreshold must be an integer from 2 to the number of new holders (${n})`, file, 'newThreshold');
  if (n < 2 || n > MAX_PARTICIPANTS)
    throw fail(`the new group must have 2 to ${MAX_PARTICIPANTS} holders`, file, 'holders');
}

/** Dealers: holders of the group today, sorted by identifier, at least M of them. */
function checkDealers(manifest: ReshareManifest, group: GroupPackage, file: string): Map<string, Dealer> {
  const members = new Map(group.participants.map((p) => [p.moniker, p]));
  const out = new Map<string, Dealer>();
  let prev = -1n;
  manifest.dealers.forEach((m, i) => {
    const p = members.get(m);
    if (!p) throw fail(`dealer ${m} does not hold a share of the group`, file, `dealers.${i}`);
    const x = identifierToScalar(p.identifier);
    if (x <= prev)
      throw fail(
        x === prev ? `dealer ${m} is named twice` : 'dealers are not sorted by identifier',
        file,
        `dealers.${i}`,
      );
    prev = x;
    out.set(m, { participant: p, x });
  });
  if (out.size < group.threshold)
    throw fail(`${out.size} dealers, fewer than the group's threshold ${group.threshold}`, file, 'dealers');
  return out;
}

/** New holders: sorted by identifier; a continuing holder exactly as the group knows it; a newcomer with fresh keys. */
function checkHolders(manifest: ReshareManifest, group: GroupPackage, file: string): NewHolder[] {
  const members = new Map(group.participants.map((p) => [p.moniker, p]));
  const keys = new Map<string, string>();
  const logins = new Map<string, string>();
  const identifiers = new Map(group.participants.map((p) => [p.identifier, p.moniker]));
  for (const p of group.participants) for (const k of [p.signingKey, p.encryptionKey]) keys.set(k, p.moniker);
  let prev = -1n;
  return manifest.holders.map((h, i) => {
    const field = `holders.${i}`;
    const x = identifierToScalar(h.identifier);
    if (x <= prev)
      throw fail(
        x === prev ? `holder ${h.moniker} is named twice` : 'holders are not sorted by identifier',
        file,
        field,
      );
    prev = x;
    const member = members.get(h.moniker);
    if (member) {
      const { verifyingShare: _v, ceremony: _c, ...known } = member;
      if (jcs(identityFields(h)) !== jcs(identityFields(known)))
        throw fail(`${h.moniker} is a holder today, but this identity differs from the group's record`, file, field);
    } else {
      checkIdentityFields(h, file);
      const same = identifiers.get(h.identifier);
      if (same) throw fail(`identifier is already ${same}'s`, file, `${field}.identifier`);
      for (const k of [h.signingKey, h.encryptionKey])
        if (keys.has(k))
          throw fail(
            `reuses a public key of ${keys.get(k)}`,
            file,
            `${field}.${k === h.signingKey ? 'signingKey' : 'encryptionKey'}`,
          );
    }
    for (const k of new Set([h.signingKey, h.encryptionKey])) if (!member) keys.set(k, h.moniker);
    if (h.github) {
      const other = logins.get(h.github.toLowerCase());
      if (other)
        throw fail(`GitHub login @${h.github} is ${other}'s too: one share per person`, file, `${field}.github`);
      logins.set(h.github.toLowerCase(), h.moniker);
    }
    return { identity: h, x };
  });
}

/** One dealing: its author, binding, and the public checks of its sharing. */
function checkDealing(raw: RawFile, m: string, audit: ReshareAudit): VerifiedDealing {
  const manifest = audit.manifest!;
  const d = parseWith(ReshareDealing, raw.value, raw.file);
  if (d.moniker !== m)
    throw fail(`the file is named for ${m} but the artifact's moniker is ${d.moniker}`, raw.file, 'moniker', d.moniker);
  if (d.ceremony !== audit.ceremony)
    throw fail(`a dealing for ceremony ${d.ceremony}, not ${audit.ceremony}`, raw.file, 'ceremony', m);
  const dealer = audit.dealers.get(m);
  if (!dealer)
    throw fail(
      `${m} is not among the proposal's dealers (${names(manifest.dealers)})`,
      raw.file,
      'moniker',
      m,
      'not-allowed',
    );
  if (d.identifier !== dealer.participant.identifier)
    throw fail("identifier differs from the dealer's in the group", raw.file, 'identifier', m);
  if (!verifyArtifactSignature(d, dealer.participant.signingKey))
    throw fail('bad artifact signature', raw.file, 'signature', m, 'signature');
  if (d.proposalDigest !== audit.proposalDigest)
    throw fail(
      "a dealing for another proposal (proposalDigest differs from ceremony.json's)",
      raw.file,
      'proposalDigest',
      m,
    );
  if (d.commitment.length !== manifest.newThreshold)
    throw fail(
      `expected ${manifest.newThreshold} commitment points (the new threshold), got ${d.commitment.length}`,
      raw.file,
      'commitment',
      m,
    );
  // The key-shift check: the dealer shares its own share, whose public image group.json holds.
  if (d.commitment[0] !== dealer.participant.verifyingShare)
    throw fail(
      "commitment.0 is not the dealer's verifying share: the dealing does not share the dealer's own share (it would shift the key)",
      raw.file,
      'commitment.0',
      m,
      'inconsistent',
    );
  checkRecipients(d, raw.file, audit.holders);
  const commitment = d.commitment.map((c, k) => {
    try {
      return decodePoint(c, `commitment.${k}`);
    } catch (e) {
      throw fail((e as SssError).reason, raw.file, `commitment.${k}`, m, 'malformed');
    }
  });
  return { file: raw.file, artifact: d, x: dealer.x, commitment };
}

/** Exactly one ciphertext per new holder, in the proposal's order. */
function checkRecipients(d: ReshareDealing, file: string, holders: NewHolder[]): void {
  if (d.shares.length !== holders.length)
    throw fail(`${d.shares.length} shares for ${holders.length} new holders`, file, 'shares', d.moniker);
  d.shares.forEach((s, i) => {
    if (s.recipient !== holders[i].identity.moniker)
      throw fail(
        `share ${i} is for ${s.recipient}, but the proposal's holder ${i} is ${holders[i].identity.moniker}`,
        file,
        `shares.${i}.recipient`,
        d.moniker,
      );
  });
}

/**
 * Q: named by the merged finalize artifacts, which must all name the same M valid dealers; before
 * any, the first M valid dealers by identifier (what reshare-finalize proposes). Computes C'.
 */
function settleQualified(files: CeremonyFiles, audit: ReshareAudit): void {
  if (!audit.manifest || !audit.groupBefore) return;
  const M = audit.groupBefore.threshold;
  // Only a finalize its new holder signed may fix Q (the others are reported by checkFinalize).
  const named = [...(files.byRole.get('finalize') ?? new Map<string, RawFile>())]
    .map(([m, raw]) => ({ m, raw, q: signedQualified(raw, m, audit) }))
    .filter((f): f is { m: string; raw: RawFile; q: string[] } => f.q !== undefined);
  if (named.length) {
    audit.qualified = named[0].q;
    audit.qualifiedFixed = true;
    for (const f of named.slice(1))
      if (jcs(f.q) !== jcs(audit.qualified))
        audit.errors.push(
          fail(
            `qualified names ${names(f.q)}, but ${named[0].raw.file} names ${names(audit.qualified)}: every new holder must combine the same dealers`,
            f.raw.file,
            'qualified',
            f.m,
          ),
        );
  } else {
    const valid = [...audit.dealings.values()].sort(byX);
    if (valid.length >= M) audit.qualified = valid.slice(0, M).map((d) => d.artifact.moniker);
  }
  if (audit.qualified)
    audit.newCommitment = commitmentOver(audit.qualified, audit, named[0]?.raw.file ?? `${files.dir}/dealings`);
  if (audit.qualified && audit.newCommitment)
    audit.dealingsDigest = dealingsDigestOf(audit.qualified.map((m) => audit.dealings.get(m)!.artifact));
}

/** The Q a finalize names, if it parses and its new holder signed it. */
function signedQualified(raw: RawFile, m: string, audit: ReshareAudit): string[] | undefined {
  const r = ReshareFinalize.safeParse(raw.value);
  const holder = audit.holders.find((h) => h.identity.moniker === m);
  if (!r.success || !holder || r.data.moniker !== m) return undefined;
  return verifyArtifactSignature(r.data, holder.identity.signingKey) ? r.data.qualified : undefined;
}

/** C' over Q; a problem with Q itself is reported against the finalize that named it. */
function commitmentOver(q: string[], audit: ReshareAudit, at: string): Point[] | undefined {
  const M = audit.groupBefore!.threshold;
  const bad = (reason: string) =>
    void audit.errors.push(new SssError(reason, { code: 'mismatch', file: at, field: 'qualified' }));
  if (q.length !== M)
    return bad(`qualified names ${q.length} dealers; it must name exactly the group's threshold, ${M}`);
  const dealings = q.map((m) => audit.dealings.get(m));
  const missing = q.filter((_, i) => !dealings[i]);
  if (missing.length) return bad(`qualified names ${names(missing)}, without a valid dealing in this ceremony`);
  const sorted = [...dealings].sort((a, b) => byX(a!, b!));
  if (sorted.some((d, i) => d !== dealings[i]) || new Set(q).size !== q.length)
    return bad('qualified is not a list of distinct dealers sorted by identifier');
  try {
    return resharedCommitment(
      dealings.map((d) => d!.commitment),
      qualifiedWeights(dealings.map((d) => d!.x)),
      decodePoint(audit.groupBefore!.publicKey, 'publicKey'),
    );
  } catch (e) {
    // Σ λ_i·E_i0 = Σ λ_i·Y_i = C_0 always: a failure here is a torsion or identity point in some E_ik.
    const culprits = dealings
      .filter((d) => d!.commitment.some((p) => !p.isTorsionFree()))
      .map((d) => d!.artifact.moniker);
    audit.errors.push(
      new SssError((e as SssError).reason, {
        code: e instanceof SssError ? e.code : 'malformed',
        file: culprits.length ? audit.dealings.get(culprits[0])!.file : at,
        field: 'commitment',
        culprit: culprits.join(', ') || undefined,
      }),
    );
    return undefined;
  }
}

/** Every new holder's finalize: its author, bindings, and its verifying share against C'. */
function checkFinalizes(files: CeremonyFiles, audit: ReshareAudit): void {
  const raws = files.byRole.get('finalize') ?? new Map<string, RawFile>();
  const shares: { id: string; x: bigint; Y: Point; moniker: string; file: string }[] = [];
  for (const [m, raw] of raws) {
    try {
      const f = checkFinalize(raw, m, audit);
      shares.push({
        id: f.identifier,
        x: identifierToScalar(f.identifier),
        Y: decodePoint(f.verifyingShare, 'verifyingShare'),
        moniker: m,
        file: raw.file,
      });
      audit.finalize.set(m, { file: raw.file, artifact: f });
    } catch (e) {
      audit.errors.push(located(e, { file: raw.file }));
    }
  }
  if (!shares.length || !audit.newCommitment) return;
  const bad = new Set(badVerifyingShares(shares, audit.newCommitment));
  for (const s of shares.filter((s) => bad.has(s.id))) {
    audit.finalize.delete(s.moniker);
    audit.errors.push(
      fail(
        "verifying share is not Y'(x) = Σ_k x^k·C'_k over the qualified dealings: it is not a share of the reshared key",
        s.file,
        'verifyingShare',
        s.moniker,
        'inconsistent',
      ),
    );
  }
}

function checkFinalize(raw: RawFile, m: string, audit: ReshareAudit): ReshareFinalize {
  if (!audit.manifest || !audit.proposalDigest)
    throw fail('a finalize of a proposal that is missing or invalid', raw.file);
  const f = parseWith(ReshareFinalize, raw.value, raw.file);
  if (f.moniker !== m)
    throw fail(`the file is named for ${m} but the artifact's moniker is ${f.moniker}`, raw.file, 'moniker', f.moniker);
  if (f.ceremony !== audit.ceremony)
    throw fail(`artifact belongs to ceremony ${f.ceremony}, not ${audit.ceremony}`, raw.file, 'ceremony', m);
  const holder = audit.holders.find((h) => h.identity.moniker === m);
  if (!holder) throw fail(`${m} is not among the proposal's new holders`, raw.file, 'moniker', m, 'not-allowed');
  if (f.identifier !== holder.identity.identifier)
    throw fail("identifier differs from the proposal's", raw.file, 'identifier', m);
  if (!verifyArtifactSignature(f, holder.identity.signingKey))
    throw fail('bad artifact signature', raw.file, 'signature', m, 'signature');
  if (f.proposalDigest !== audit.proposalDigest)
    throw fail("proposalDigest differs from ceremony.json's", raw.file, 'proposalDigest', m);
  if (!audit.newCommitment || !audit.qualified)
    throw fail('finalize before the qualified dealings are valid', raw.file, 'qualified', m, 'incomplete');
  if (f.dealingsDigest !== audit.dealingsDigest)
    throw fail(
      'dealingsDigest differs from the merged dealings of the qualified set: the holder combined other dealings',
      raw.file,
      'dealingsDigest',
      m,
    );
  return f;
}

/** The round table, the phase and, once every new holder has finalized, the new group. */
function conclude(files: CeremonyFiles, audit: ReshareAudit): ReshareAudit {
  const manifest = audit.manifest!;
  const rawDealings = files.byRole.get('dealings') ?? new Map<string, RawFile>();
  const rawFinalize = files.byRole.get('finalize') ?? new Map<string, RawFile>();
  const ready = Boolean(audit.newCommitment);
  const state = (ok: boolean, present: boolean, open: boolean): StepState =>
    ok ? 'done' : present ? 'invalid' : open ? 'awaited' : '-';
  const holders = new Map(audit.holders.map((h) => [h.identity.moniker, h.identity]));
  const everyone = [
    ...new Set([...manifest.dealers, ...holders.keys(), ...rawDealings.keys(), ...rawFinalize.keys()]),
  ].sort();
  audit.rows = everyone.map((m): Row => ({
    moniker: m,
    github: holders.get(m)?.github ?? audit.dealers.get(m)?.participant.github,
    steps: {
      dealing:
        audit.dealers.has(m) || rawDealings.has(m)
          ? state(audit.dealings.has(m), rawDealings.has(m), !audit.qualifiedFixed)
          : '-',
      finalize: holders.has(m) || rawFinalize.has(m) ? state(audit.finalize.has(m), rawFinalize.has(m), ready) : '-',
    },
  }));
  const M = audit.groupBefore!.threshold;
  if (!ready) {
    audit.phase = 'dealing';
    const awaited = manifest.dealers.filter((m) => !audit.dealings.has(m));
    return finish(
      audit,
      `valid dealings from ${M - Math.min(M, audit.dealings.size)} more of ${names(awaited)} (${audit.dealings.size} of the ${M} needed)`,
    );
  }
  const waiting = [...holders.keys()].filter((m) => !audit.finalize.has(m));
  if (waiting.length || rawFinalize.size !== audit.finalize.size) {
    audit.phase = 'finalize';
    return finish(audit, `finalize from ${names(waiting)}`);
  }
  if (audit.errors.length) return finish(audit, 'nothing more');
  audit.phase = 'complete';
  audit.group = resharedGroup(audit);
  return finish(audit, 'nothing: the reshare is complete');
}

/** The group after a completed reshare: same key, the new holders, threshold, commitment and epoch. */
export function resharedGroup(audit: ReshareAudit): GroupPackage {
  const before = audit.groupBefore!;
  const manifest = audit.manifest!;
  const participants = audit.holders
    .map((h) =>
      groupParticipant(h.identity, audit.finalize.get(h.identity.moniker)!.artifact.verifyingShare, audit.ceremony),
    )
    .sort((a, b) => (a.moniker < b.moniker ? -1 : a.moniker > b.moniker ? 1 : 0));
  return {
    format: 'sss-tool/group@1',
    ciphersuite: CIPHERSUITE,
    publicKey: before.publicKey,
    threshold: manifest.newThreshold,
    epoch: manifest.epoch,
    commitment: audit.newCommitment!.map(encodePoint),
    participants,
    ceremonies: [...before.ceremonies, { id: audit.ceremony, kind: 'reshare' }],
  };
}
