/**
 * The signing artifacts and the checks on them: a nonce commitment (round 1), a signature share
 * (round 2), the secret nonce record, and aggregation over a set of them. Like the ceremony
 * artifacts they are strict JSON with a `format`; unlike them they are not signed with the
 * identity key: every share is checked against the signer's verifying share, and each share binds
 * the whole commitment list (RFC 9591 binding factors), so a forged or swapped artifact makes the
 * signing abort and names the signer whose share fails, but cannot produce a signature.
 */
import { randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { z } from 'zod';
import { SssError, locatedIn } from '../errors.js';
import {
  aggregateShares,
  checkElement,
  GroupPublic,
  NonceCommitment,
  SigningGroup,
  verifyShareWith,
} from '../crypto/sign.js';
import { bytesToHex, compareIdentifiers, decodeScalar, hexToBytes, identifierFor } from '../crypto/suite.js';
import { digest } from './canonical.js';
import { hex32, moniker, parseWith } from './schemas.js';

export const SIGN_FORMATS = {
  commitment: 'sss-tool/sign-commitment@1',
  share: 'sss-tool/sign-share@1',
  nonces: 'sss-tool/sign-nonces@1',
} as const;

export const SESSION = /^[A-Za-z0-9._-]{1,64}$/;
export const sessionId = z.string().regex(SESSION, 'expected a session id: letters, digits, . _ or -, at most 64');

/** Round 1, public: one signer's nonce commitments for one session. */
export const SignCommitment = z.strictObject({
  format: z.literal(SIGN_FORMATS.commitment),
  session: sessionId,
  moniker,
  identifier: hex32,
  groupKey: hex32,
  hiding: hex32,
  binding: hex32,
  /** The group epoch of the signer's share (docs/resharing.md); absent means 0. */
  epoch: z.number().int().min(1).optional(),
});
export type SignCommitment = z.infer<typeof SignCommitment>;

/** Round 2, public: one signer's signature share, bound to the message and the commitment list. */
export const SignShare = z.strictObject({
  format: z.literal(SIGN_FORMATS.share),
  session: sessionId,
  moniker,
  identifier: hex32,
  groupKey: hex32,
  /** SHA-256 of the message bytes. */
  messageDigest: hex32,
  /** `commitmentsDigest` of the commitment list the share was made over. */
  commitmentsDigest: hex32,
  share: hex32,
});
export type SignShare = z.infer<typeof SignShare>;

/** Round 1, secret: the nonces behind a commitment. Only ever stored age-encrypted, used once. */
export const SignNonces = z.strictObject({
  format: z.literal(SIGN_FORMATS.nonces),
  session: sessionId,
  moniker,
  identifier: hex32,
  groupKey: hex32,
  hiding: hex32,
  binding: hex32,
});
export type SignNonces = z.infer<typeof SignNonces>;

/** A session id, checked; throws SssError naming the field. */
export function checkSession(value: unknown, field = 'session'): string {
  if (typeof value !== 'string' || !SESSION.test(value))
    throw new SssError('expected a session id: letters, digits, . _ or -, 1 to 64 characters', {
      code: 'malformed',
      field,
    });
  return value;
}

/** A fresh random session id (128 bits, hex). */
export function newSessionId(): string {
  return randomBytes(16).toString('hex');
}

/** SHA-256 of the message, hex: what a share says it signed. */
export function messageDigest(message: Uint8Array): string {
  return bytesToHex(sha256(message));
}

const derived = new Map<string, string>();

/** identifierFor, remembered: every artifact of a session checks it again. */
function derivedIdentifier(m: string): string {
  let id = derived.get(m);
  if (!id) {
    id = identifierFor(m);
    if (derived.size > 10_000) derived.clear();
    derived.set(m, id);
  }
  return id;
}

function checkMonikerBinding(a: { moniker: string; identifier: string }, file?: string): void {
  if (derivedIdentifier(a.moniker) !== a.identifier)
    throw new SssError(`identifier is not the one derived from the moniker ${JSON.stringify(a.moniker)}`, {
      code: 'mismatch',
      file,
      field: 'identifier',
      culprit: a.moniker,
    });
}

/** A commitment artifact: strict schema, identifier derived from the moniker, both points valid. */
export function parseSignCommitment(value: unknown, file?: string): SignCommitment {
  const c = parseWith(SignCommitment, value, file);
  checkMonikerBinding(c, file);
  locatedIn({ file }, () => {
    checkElement(c.groupKey, 'groupKey');
    checkElement(c.hiding, 'hiding');
    checkElement(c.binding, 'binding');
  });
  return c;
}

/** A share artifact: strict schema, identifier derived from the moniker, canonical scalar. */
export function parseSignShare(value: unknown, file?: string): SignShare {
  const s = parseWith(SignShare, value, file);
  checkMonikerBinding(s, file);
  locatedIn({ file }, () => decodeScalar(s.share, 'share'));
  return s;
}

/**
 * Checks a commitment list for a group and returns it sorted by identifier: one session (the
 * expected one, if given), this group's key, no signer twice, at least M signers.
 */
export function checkCommitmentList(
  list: readonly SignCommitment[],
  group: SigningGroup,
  session?: string,
): SignCommitment[] {
  if (list.length === 0) throw new SssError('no commitments given', { code: 'incomplete' });
  const want = session ?? list[0].session;
  const seenId = new Set<string>();
  const seenMoniker = new Set<string>();
  for (const c of list) {
    if (c.session !== want)
      throw new SssError(`commitment is for session ${JSON.stringify(c.session)}, not ${JSON.stringify(want)}`, {
        code: 'mismatch',
        field: 'session',
        culprit: c.moniker,
      });
    if (c.groupKey !== group.publicKey)
      throw new SssError('commitment is for a different group key', {
        code: 'mismatch',
        field: 'groupKey',
        culprit: c.moniker,
      });
    if ((c.epoch ?? 0) !== group.epoch)
      throw new SssError(
        `commitment is from a share of epoch ${c.epoch ?? 0}, but the group is at epoch ${group.epoch}: shares of another epoch cannot sign together (a reshare replaced them)`,
        { code: 'mismatch', field: 'epoch', culprit: c.moniker },
      );
    if (seenId.has(c.identifier) || seenMoniker.has(c.moniker))
      throw new SssError('the same signer appears twice in the commitment list', {
        code: 'duplicate',
        field: 'identifier',
        culprit: c.moniker,
      });
    seenId.add(c.identifier);
    seenMoniker.add(c.moniker);
  }
  if (list.length < group.threshold)
    throw new SssError(
      `only ${list.length} signer${list.length === 1 ? '' : 's'} in the commitment list; the group needs at least ${group.threshold}`,
      { code: 'incomplete' },
    );
  return [...list].sort((a, b) => compareIdentifiers(a.identifier, b.identifier));
}

/** SHA-256 of the canonical commitment list (sorted): what a share says it was made over. */
export function commitmentsDigest(sorted: readonly SignCommitment[]): string {
  return digest({
    session: sorted[0].session,
    groupKey: sorted[0].groupKey,
    // The epoch is bound from epoch 1 on; epoch 0 keeps the digest it always had.
    ...(sorted[0].epoch ? { epoch: sorted[0].epoch } : {}),
    commitments: sorted.map((c) => ({
      moniker: c.moniker,
      identifier: c.identifier,
      hiding: c.hiding,
      binding: c.binding,
    })),
  });
}

/** The list as RFC 9591 (and noble) take it. */
export function nonceCommitments(sorted: readonly SignCommitment[]): NonceCommitment[] {
  return sorted.map((c) => ({ identifier: c.identifier, hiding: c.hiding, binding: c.binding }));
}

export interface Aggregated {
  signature: Uint8Array;
  session: string;
  /** Signers' monikers, in identifier order. */
  signers: string[];
}

/**
 * Checks a set of signature shares and aggregates them into the group's Ed25519 signature over
 * `message`. Throws SssError naming the signer (culprit) whose share is missing, misplaced, made
 * over another message or commitment list, or cryptographically invalid. The result verifies
 * under the group key (aggregation checks it).
 */
export function aggregateSignature(
  group: SigningGroup,
  message: Uint8Array,
  commitments: readonly SignCommitment[],
  shares: readonly SignShare[],
): Aggregated {
  const sorted = checkCommitmentList(commitments, group);
  const session = sorted[0].session;
  const byId = new Map(sorted.map((c) => [c.identifier, c]));
  const got = sharesBySigner(shares, session, group.publicKey, byId);
  checkSharesSignThis(got, shares, messageDigest(message), commitmentsDigest(sorted));
  const missing = sorted.filter((c) => !got.has(c.identifier)).map((c) => c.moniker);
  if (missing.length)
    throw new SssError(`no signature share from ${missing.join(', ')}`, {
      code: 'incomplete',
      culprits: missing,
    });
  const record: Record<string, Uint8Array> = {};
  for (const [id, s] of got) record[id] = hexToBytes(s.share);
  const r = aggregateShares(group, nonceCommitments(sorted), message, record);
  if (!r.ok) {
    const who = r.invalid.map((id) => byId.get(id)?.moniker ?? id).join(', ');
    throw new SssError('invalid signature share', { code: 'signature', field: 'share', culprit: who });
  }
  return { signature: r.signature, session, signers: sorted.map((c) => c.moniker) };
}

/** Each share by its signer's identifier: of this session and group, from a listed signer, once. */
function sharesBySigner(
  shares: readonly SignShare[],
  session: string,
  groupKey: string,
  byId: Map<string, SignCommitment>,
): Map<string, SignShare> {
  const got = new Map<string, SignShare>();
  for (const s of shares) {
    if (s.session !== session)
      throw new SssError(`share is for session ${JSON.stringify(s.session)}, not ${JSON.stringify(session)}`, {
        code: 'mismatch',
        field: 'session',
        culprit: s.moniker,
      });
    if (s.groupKey !== groupKey)
      throw new SssError('share is for a different group key', {
        code: 'mismatch',
        field: 'groupKey',
        culprit: s.moniker,
      });
    const c = byId.get(s.identifier);
    if (!c || c.moniker !== s.moniker)
      throw new SssError('share from a signer that is not in the commitment list', {
        code: 'not-allowed',
        field: 'identifier',
        culprit: s.moniker,
      });
    if (got.has(s.identifier))
      throw new SssError('two shares from the same signer', {
        code: 'duplicate',
        field: 'identifier',
        culprit: s.moniker,
      });
    got.set(s.identifier, s);
  }
  return got;
}

/**
 * Every share signs this message over this commitment list. When none does, the message itself is
 * what differs (the signers were given another), and no signer is blamed for it.
 */
function checkSharesSignThis(
  got: Map<string, SignShare>,
  shares: readonly SignShare[],
  mDigest: string,
  cDigest: string,
): void {
  if (shares.length && shares.every((s) => s.messageDigest !== mDigest))
    throw new SssError('no share signs this message: the signers were given a different message', {
      code: 'mismatch',
      field: 'messageDigest',
    });
  for (const s of got.values()) {
    if (s.messageDigest !== mDigest)
      throw new SssError('share signs a different message', {
        code: 'mismatch',
        field: 'messageDigest',
        culprit: s.moniker,
      });
    if (s.commitmentsDigest !== cDigest)
      throw new SssError('share was made over a different commitment list', {
        code: 'mismatch',
        field: 'commitmentsDigest',
        culprit: s.moniker,
      });
  }
}

/** A group given as a SigningGroup or as its public package ({publicKey, threshold, commitment}). */
export type GroupLike = SigningGroup | GroupPublic;

export function signingGroup(group: GroupLike): SigningGroup {
  return group instanceof SigningGroup ? group : SigningGroup.of(group);
}

/**
 * The coordinator's step: validates the commitment and share artifacts (objects or parsed JSON),
 * checks every share and aggregates. Throws SssError naming the signer at fault.
 */
export function aggregate(
  group: GroupLike,
  message: Uint8Array,
  commitments: readonly unknown[],
  shares: readonly unknown[],
): Aggregated {
  checkMessage(message);
  return aggregateSignature(
    signingGroup(group),
    message,
    listOf(commitments, 'commitments').map((c, i) => parseSignCommitment(c, `commitments[${i}]`)),
    listOf(shares, 'shares').map((s, i) => parseSignShare(s, `shares[${i}]`)),
  );
}

// The library's callers pass parsed JSON from the network: check the containers, not only the items.
function checkMessage(message: unknown): asserts message is Uint8Array {
  if (!(message instanceof Uint8Array))
    throw new SssError('the message must be bytes (a Uint8Array)', { code: 'malformed', field: 'message' });
}

function listOf(list: unknown, field: string): readonly unknown[] {
  if (!Array.isArray(list)) throw new SssError('expected a list of artifacts', { code: 'malformed', field });
  return list;
}

/**
 * Whether one signature share is valid for this message and commitment list (RFC 9591 §5.4): made
 * in the list's session, over this message and list, and consistent with the signer's verifying
 * share. Throws SssError only on malformed artifacts or a malformed list.
 */
export function verifyShare(
  group: GroupLike,
  message: Uint8Array,
  commitments: readonly unknown[],
  share: unknown,
): boolean {
  checkMessage(message);
  const g = signingGroup(group);
  const sorted = checkCommitmentList(
    listOf(commitments, 'commitments').map((c, i) => parseSignCommitment(c, `commitments[${i}]`)),
    g,
  );
  const s = parseSignShare(share, 'share');
  const c = sorted.find((x) => x.identifier === s.identifier);
  if (!c || c.moniker !== s.moniker || s.session !== c.session || s.groupKey !== g.publicKey) return false;
  if (s.messageDigest !== messageDigest(message) || s.commitmentsDigest !== commitmentsDigest(sorted)) return false;
  return verifyShareWith(g, nonceCommitments(sorted), message, s.identifier, hexToBytes(s.share));
}
