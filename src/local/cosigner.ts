/**
 * A share holder that signs in-process: open the share file once, then for each signing session
 * commit (round 1) and sign a share (round 2). Nonces stay inside this object, keyed by session,
 * and are deleted when used; they leave the process only through `exportNonces`, which a caller
 * (the CLI) uses on purpose to keep them age-encrypted between two commands.
 */
import { SssError } from '../errors.js';
import {
  checkCommitmentList,
  checkSession,
  commitmentsDigest,
  messageDigest,
  newSessionId,
  nonceCommitments,
  parseSignCommitment,
  SIGN_FORMATS,
  SignCommitment,
  SignNonces,
  SignShare,
} from '../artifacts/signing.js';
import { parseWith } from '../artifacts/schemas.js';
import { commitNonces, signShareWith, SigningGroup, SigningNonces } from '../crypto/sign.js';
import { Point, bytesToHex, decodeScalar, encodePoint, hexToBytes, identifierFor } from '../crypto/suite.js';
import { checkShareFile, readShareFile, ShareFile } from './share.js';

export interface CosignerOptions {
  /**
   * The most sessions whose nonces wait for round 2 at once (default 10 000). Beyond it the oldest
   * session's nonces are discarded (safe: they can then never sign), so that commitments requested
   * and never followed up cannot grow the process without bound.
   */
  maxPending?: number;
}

interface Pending {
  nonces: SigningNonces;
  commitment: SignCommitment;
}

/** Opens an age-encrypted share file (the passphrase comes from the caller) as a Cosigner. */
export async function openShare(path: string, passphrase: string, opts: CosignerOptions = {}): Promise<Cosigner> {
  return new Cosigner(await readShareFile(path, passphrase), opts);
}

export class Cosigner {
  readonly moniker: string;
  readonly identifier: string;
  /** The group key, hex (the JWT `kid`). */
  readonly groupKey: string;
  readonly threshold: number;
  readonly group: SigningGroup;
  readonly #signingShare: Uint8Array;
  readonly #pending = new Map<string, Pending>();
  readonly #used = new Map<string, true>();
  readonly #maxPending: number;

  /** From a decrypted share file (checked here). Prefer `openShare`. */
  constructor(share: ShareFile, opts: CosignerOptions = {}) {
    const s = checkShareFile(share, 'share');
    // Other signers refuse a commitment whose identifier is not derived from its moniker: say so now.
    if (identifierFor(s.moniker) !== s.identifier)
      throw new SssError("the share file's identifier is not the one derived from its moniker", {
        code: 'mismatch',
        field: 'identifier',
      });
    this.moniker = s.moniker;
    this.identifier = s.identifier;
    this.groupKey = s.group.publicKey;
    this.threshold = s.group.threshold;
    this.group = SigningGroup.of(s.group);
    // checkShareFile matched signingShare·G to verifyingShare; this ties both to the group polynomial.
    if (s.verifyingShare !== bytesToHex(this.group.verifyingShare(s.identifier)))
      throw new SssError("the share is not on the group's polynomial: signingShare·G differs from Y(identifier)", {
        code: 'inconsistent',
        field: 'signingShare',
      });
    this.#signingShare = hexToBytes(s.signingShare);
    this.#maxPending = opts.maxPending ?? 10_000;
    if (!Number.isInteger(this.#maxPending) || this.#maxPending < 1)
      throw new SssError('maxPending must be a positive integer', { code: 'malformed', field: 'maxPending' });
  }

  /**
   * Round 1: fresh nonces for a session (a random id if none is given), kept in this process; returns
   * the public commitment to send to the coordinator. Refuses a session already committed or used.
   */
  commit(session: string = newSessionId()): SignCommitment {
    checkSession(session);
    this.#assertFresh(session);
    const { nonces, commitment } = commitNonces(this.identifier, this.#signingShare);
    const artifact: SignCommitment = {
      format: SIGN_FORMATS.commitment,
      session,
      moniker: this.moniker,
      identifier: this.identifier,
      groupKey: this.groupKey,
      hiding: commitment.hiding,
      binding: commitment.binding,
    };
    this.#keep(session, { nonces, commitment: artifact });
    return artifact;
  }

  /**
   * Round 2: this signer's share over exactly `message`, for the commitment list of the session
   * (artifacts or their JSON values; each is validated). Refuses a list without this signer's own
   * commitment, with fewer than M signers, from another session or group. The session's nonces are
   * deleted before the share is returned: a session signs once.
   */
  signShare(session: string, message: Uint8Array, commitments: readonly unknown[]): SignShare {
    checkSession(session);
    if (!(message instanceof Uint8Array))
      throw new SssError('the message must be bytes (a Uint8Array)', { code: 'malformed', field: 'message' });
    const pending = this.#pending.get(session);
    if (!pending) {
      if (this.#used.has(session))
        throw new SssError(
          `the nonces of session ${JSON.stringify(session)} were already used; start a new session with commit`,
          { code: 'private', field: 'session' },
        );
      throw new SssError(
        `no nonces for session ${JSON.stringify(session)} in this process: commit first (or the session was discarded)`,
        { code: 'private', field: 'session' },
      );
    }
    if (!Array.isArray(commitments))
      throw new SssError('the commitments must be a list', { code: 'malformed', field: 'commitments' });
    const sorted = checkCommitmentList(
      commitments.map((c, i) => parseSignCommitment(c, `commitments[${i}]`)),
      this.group,
      session,
    );
    const own = sorted.find((c) => c.identifier === this.identifier);
    if (!own)
      throw new SssError(`the commitment list lacks this signer's commitment (${this.moniker})`, {
        code: 'incomplete',
        field: 'commitments',
      });
    if (
      own.moniker !== this.moniker ||
      own.hiding !== pending.commitment.hiding ||
      own.binding !== pending.commitment.binding
    )
      throw new SssError(
        `the commitment list carries a different commitment for this signer (${this.moniker}) than it made for this session`,
        { code: 'mismatch', field: 'commitments' },
      );
    this.#pending.delete(session);
    this.#markUsed(session);
    const share = signShareWith(
      this.group,
      this.identifier,
      this.#signingShare,
      pending.nonces,
      nonceCommitments(sorted),
      message,
    );
    return {
      format: SIGN_FORMATS.share,
      session,
      moniker: this.moniker,
      identifier: this.identifier,
      groupKey: this.groupKey,
      messageDigest: messageDigest(message),
      commitmentsDigest: commitmentsDigest(sorted),
      share: bytesToHex(share),
    };
  }

  /**
   * Takes a session's nonces out of this process, as a record the caller must keep secret (the CLI
   * age-encrypts it). The session is then no longer pending here.
   */
  exportNonces(session: string): SignNonces {
    checkSession(session);
    const p = this.#pending.get(session);
    if (!p)
      throw new SssError(`no nonces for session ${JSON.stringify(session)} in this process`, {
        code: 'private',
        field: 'session',
      });
    this.#pending.delete(session);
    const record: SignNonces = {
      format: SIGN_FORMATS.nonces,
      session,
      moniker: this.moniker,
      identifier: this.identifier,
      groupKey: this.groupKey,
      hiding: bytesToHex(p.nonces.hiding),
      binding: bytesToHex(p.nonces.binding),
    };
    p.nonces.hiding.fill(0);
    p.nonces.binding.fill(0);
    return record;
  }

  /** Puts exported nonces back (for round 2 in another process); returns their commitment. */
  importNonces(record: unknown): SignCommitment {
    const r = parseWith(SignNonces, record, 'nonces');
    if (r.identifier !== this.identifier || r.moniker !== this.moniker)
      throw new SssError('these nonces belong to another signer', { code: 'private', field: 'identifier' });
    if (r.groupKey !== this.groupKey)
      throw new SssError('these nonces are for another group', { code: 'private', field: 'groupKey' });
    this.#assertFresh(r.session);
    const hiding = decodeScalar(r.hiding, 'hiding');
    const binding = decodeScalar(r.binding, 'binding');
    if (hiding === 0n || binding === 0n)
      throw new SssError('these nonces were already used (zeroed)', { code: 'private', field: 'hiding' });
    const commitment: SignCommitment = {
      format: SIGN_FORMATS.commitment,
      session: r.session,
      moniker: this.moniker,
      identifier: this.identifier,
      groupKey: this.groupKey,
      hiding: encodePoint(Point.BASE.multiply(hiding)),
      binding: encodePoint(Point.BASE.multiply(binding)),
    };
    this.#keep(r.session, { nonces: { hiding: hexToBytes(r.hiding), binding: hexToBytes(r.binding) }, commitment });
    return commitment;
  }

  /** Forgets a session's nonces without signing; true if there were any. */
  discard(session: string): boolean {
    const p = this.#pending.get(session);
    if (!p) return false;
    p.nonces.hiding.fill(0);
    p.nonces.binding.fill(0);
    this.#pending.delete(session);
    this.#markUsed(session);
    return true;
  }

  /** Sessions whose nonces wait for round 2, oldest first. */
  pendingSessions(): string[] {
    return [...this.#pending.keys()];
  }

  #assertFresh(session: string): void {
    if (this.#used.has(session))
      throw new SssError(`session ${JSON.stringify(session)} was already used; choose another session id`, {
        code: 'private',
        field: 'session',
      });
    if (this.#pending.has(session))
      throw new SssError(`session ${JSON.stringify(session)} already has nonces waiting for round 2`, {
        code: 'private',
        field: 'session',
      });
  }

  #keep(session: string, p: Pending): void {
    this.#pending.set(session, p);
    while (this.#pending.size > this.#maxPending) this.discard(this.#pending.keys().next().value as string);
  }

  #markUsed(session: string): void {
    this.#used.set(session, true);
    // Remembering used ids only makes errors clearer (the nonces themselves are gone); bound it.
    while (this.#used.size > 4 * this.#maxPending) this.#used.delete(this.#used.keys().next().value as string);
  }
}
