/**
 * The three steps of a reshare, as functions from the audited public state and the author's keys
 * to what the author publishes: the maintainer's proposal (ceremony.json), a dealer's dealing, a
 * new holder's opening of its shares and its finalize. The CLI (src/cli/reshare.ts) adds files
 * and passphrases; tests and benchmarks call these directly.
 */
import { digest, signArtifact } from '../artifacts/canonical.js';
import { IdentityFields, identityFields } from '../artifacts/identity.js';
import {
  RESHARE_FORMATS,
  ReshareDealing,
  ReshareFinalize,
  ReshareManifest,
  dealingsDigestOf,
} from '../artifacts/reshare.js';
import { FORMATS } from '../artifacts/schemas.js';
import { hpkeInfo, open, seal } from '../crypto/hpke.js';
import {
  RESHARE_LABEL,
  ReceivedShare,
  badReceivedShares,
  combineReshared,
  dealReshare,
  qualifiedWeights,
  resharedCommitment,
} from '../crypto/reshare.js';
import {
  CIPHERSUITE,
  Fn,
  Point,
  bytesToHex,
  compareIdentifiers,
  decodePoint,
  decodeScalar,
  encodePoint,
  hexToBytes,
} from '../crypto/suite.js';
import { SssError, names } from '../errors.js';
import { Author } from './join-steps.js';
import { GroupPackage, epochOf } from './report.js';
import { ReshareAudit, VerifiedDealing } from './reshare.js';

export interface ProposalOptions {
  /** Monikers of today's holders who stay. */
  keep: string[];
  /** Newcomers' public identities (their identity.json). */
  newcomers: IdentityFields[];
  newThreshold: number;
  /** Today's holders asked to deal (at least M). */
  dealers: string[];
}

/** ceremony.json of a reshare of `group`: the new holder set and threshold, the dealers. */
export function reshareManifest(ceremony: string, group: GroupPackage, o: ProposalOptions): ReshareManifest {
  const members = new Map(group.participants.map((p) => [p.moniker, p]));
  const unknown = [...o.keep, ...o.dealers].filter((m) => !members.has(m));
  if (unknown.length)
    throw new SssError(
      `${names(unknown)} do${unknown.length === 1 ? 'es' : ''} not hold a share of the group (holders: ${names([...members.keys()])})`,
      { code: 'usage' },
    );
  const sameAsMember = o.newcomers.filter((n) => members.has(n.moniker));
  if (sameAsMember.length)
    throw new SssError(
      `${names(sameAsMember.map((n) => n.moniker))} already hold a share: name them with --keep, not as newcomers`,
      { code: 'duplicate' },
    );
  const byId = (a: { identifier: string }, b: { identifier: string }) => compareIdentifiers(a.identifier, b.identifier);
  const holders = [...new Set(o.keep)]
    .map((m) => identityFields(members.get(m)!))
    .concat(o.newcomers.map(identityFields))
    .sort(byId);
  const dealers = [...new Set(o.dealers)]
    .map((m) => members.get(m)!)
    .sort(byId)
    .map((p) => p.moniker);
  return {
    format: FORMATS.ceremony,
    ceremony,
    kind: 'reshare',
    ciphersuite: CIPHERSUITE,
    threshold: group.threshold,
    publicKey: group.publicKey,
    extends: group.ceremonies[group.ceremonies.length - 1].id,
    groupDigest: digest(group),
    epoch: epochOf(group) + 1,
    newThreshold: o.newThreshold,
    dealers,
    holders,
  };
}

/**
 * A dealer's dealing: a fresh degree-(M'−1) sharing of its own share s_i, each new holder's
 * evaluation HPKE-encrypted to that holder's encryption key, the Feldman commitment public.
 */
export async function reshareDealing(audit: ReshareAudit, me: Author, signingShare: bigint): Promise<ReshareDealing> {
  if (!audit.manifest || !audit.proposalDigest)
    throw new SssError(`ceremony ${audit.ceremony} has no valid proposal to deal for (${audit.awaiting})`, {
      code: 'incomplete',
    });
  const dealer = audit.dealers.get(me.moniker);
  if (!dealer)
    throw new SssError(`${me.moniker} is not among the proposal's dealers (${names(audit.manifest.dealers)})`, {
      code: 'not-allowed',
      field: 'dealers',
      culprit: me.moniker,
    });
  if (dealer.participant.identifier !== me.identifier)
    throw new SssError("your identifier differs from the group's record of you", {
      code: 'mismatch',
      field: 'identifier',
    });
  if (signingShare === 0n || encodePoint(Point.BASE.multiply(signingShare)) !== dealer.participant.verifyingShare)
    throw new SssError(
      `your share does not match your verifying share in the group state after ${audit.manifest.extends}`,
      { code: 'inconsistent', field: 'signingShare' },
    );
  const { commitment, shares } = dealReshare(
    signingShare,
    audit.manifest.newThreshold,
    audit.holders.map((h) => h.x),
  );
  const sealed = [];
  for (const [j, h] of audit.holders.entries()) {
    const plain = Fn.toBytes(shares[j]);
    const s = await seal(
      hexToBytes(h.identity.encryptionKey),
      hpkeInfo(RESHARE_LABEL, audit.ceremony, me.identifier, h.identity.identifier),
      plain,
    );
    plain.fill(0);
    sealed.push({ recipient: h.identity.moniker, enc: bytesToHex(s.enc), ciphertext: bytesToHex(s.ciphertext) });
  }
  shares.fill(0n);
  return signArtifact(
    {
      format: RESHARE_FORMATS.dealing,
      ceremony: audit.ceremony,
      moniker: me.moniker,
      identifier: me.identifier,
      proposalDigest: audit.proposalDigest,
      commitment: commitment.map(encodePoint),
      shares: sealed,
    },
    me.signingSecret,
  ) as ReshareDealing;
}

export interface OpenedReshare {
  signingShare: bigint;
  verifyingShare: Point;
  /** Q, sorted by identifier. */
  qualified: string[];
  /** C' over Q: the new group commitment. */
  commitment: Point[];
  /** Dealers whose share to this holder did not decrypt or did not match their commitment. */
  bad: string[];
}

/** Decrypts and checks the share every valid dealing sent to `me`; returns the shares by dealer and who failed. */
async function receive(audit: ReshareAudit, me: Author): Promise<{ sigmas: Map<string, bigint>; bad: string[] }> {
  const j = audit.holders.findIndex((h) => h.identity.moniker === me.moniker);
  const mine = audit.holders[j];
  if (!mine)
    throw new SssError(`${me.moniker} is not among the proposal's new holders`, {
      code: 'not-allowed',
      field: 'holders',
      culprit: me.moniker,
    });
  if (mine.identity.identifier !== me.identifier || mine.identity.encryptionKey !== me.encryptionKey)
    throw new SssError("the proposal names you with other keys than this home dir's identity", {
      code: 'mismatch',
      field: `holders.${j}`,
    });
  const received: ReceivedShare[] = [];
  const bad: string[] = [];
  for (const [m, d] of audit.dealings) {
    const sigma = await openOne(audit.ceremony, d, j, me);
    if (sigma === undefined) bad.push(m);
    else received.push({ dealer: m, sigma, commitment: d.commitment });
  }
  const wrong = new Set(badReceivedShares(mine.x, received));
  bad.push(...wrong);
  return { sigmas: new Map(received.filter((r) => !wrong.has(r.dealer)).map((r) => [r.dealer, r.sigma])), bad };
}

async function openOne(ceremony: string, d: VerifiedDealing, j: number, me: Author): Promise<bigint | undefined> {
  const c = d.artifact.shares[j];
  let plain: Uint8Array | undefined;
  try {
    plain = await open(me.encryptionSecret, hpkeInfo(RESHARE_LABEL, ceremony, d.artifact.identifier, me.identifier), {
      enc: hexToBytes(c.enc),
      ciphertext: hexToBytes(c.ciphertext),
    });
    return decodeScalar(bytesToHex(plain), 'share');
  } catch {
    return undefined;
  } finally {
    plain?.fill(0);
  }
}

/**
 * The new holder's side: checks every dealing's share to it against the dealing's commitment,
 * settles Q (the merged finalizes' Q if there is one, else the first M dealers by identifier
 * whose dealing is valid and whose share to it checks), and combines s'_j = Σ_{i∈Q} λ_i·σ_ij.
 * Throws naming the dealer when a dealer in a Q fixed by others sent it a bad share.
 */
export async function openReshare(audit: ReshareAudit, me: Author): Promise<OpenedReshare> {
  if (!audit.manifest || !audit.groupBefore || !audit.qualified)
    throw new SssError(`ceremony ${audit.ceremony} is not ready to finalize: awaiting ${audit.awaiting}`, {
      code: 'incomplete',
    });
  const { sigmas, bad } = await receive(audit, me);
  const M = audit.groupBefore.threshold;
  let qualified = audit.qualified;
  if (!audit.qualifiedFixed) {
    qualified = [...audit.dealings.values()]
      .filter((d) => sigmas.has(d.artifact.moniker))
      .sort((a, b) => (a.x < b.x ? -1 : 1))
      .slice(0, M)
      .map((d) => d.artifact.moniker);
    if (qualified.length < M)
      throw new SssError(
        `only ${qualified.length} dealings sent you a share that checks (${M} needed)${bad.length ? `; bad: ${names(bad)}` : ''}`,
        { code: 'inconsistent', culprit: bad.join(', ') || undefined },
      );
  }
  const wrong = qualified.filter((m) => bad.includes(m));
  if (wrong.length)
    throw new SssError(
      `the share dealt to you does not match its dealer's commitment, and the merged finalize artifacts already combine this dealer: this reshare cannot complete for you; a maintainer must propose a new one without ${names(wrong)}`,
      { code: 'inconsistent', file: audit.dealings.get(wrong[0])?.file, field: 'shares', culprit: wrong.join(', ') },
    );
  const dealings = qualified.map((m) => audit.dealings.get(m)!);
  const weights = qualifiedWeights(dealings.map((d) => d.x));
  const commitment =
    // The audit computed C' for its Q already; only a Q without a dealer bad to me needs its own.
    audit.newCommitment && qualified.join() === audit.qualified.join()
      ? audit.newCommitment
      : resharedCommitment(
          dealings.map((d) => d.commitment),
          weights,
          decodePoint(audit.groupBefore.publicKey, 'publicKey'),
        );
  const x = audit.holders.find((h) => h.identity.moniker === me.moniker)!.x;
  const r = combineReshared(
    x,
    qualified.map((m) => sigmas.get(m)!),
    weights,
    commitment,
  );
  sigmas.clear();
  return { ...r, qualified, commitment, bad };
}

/** The new holder's finalize artifact: Q, the digest of Q's dealings, its new verifying share. */
export function reshareFinalize(
  audit: ReshareAudit,
  me: Author,
  qualified: string[],
  verifyingShare: string,
): ReshareFinalize {
  if (!audit.proposalDigest)
    throw new SssError(`ceremony ${audit.ceremony} is not ready to finalize: awaiting ${audit.awaiting}`, {
      code: 'incomplete',
    });
  return signArtifact(
    {
      format: RESHARE_FORMATS.finalize,
      ceremony: audit.ceremony,
      moniker: me.moniker,
      identifier: me.identifier,
      proposalDigest: audit.proposalDigest,
      qualified,
      dealingsDigest: dealingsDigestOf(qualified.map((m) => audit.dealings.get(m)!.artifact)),
      verifyingShare,
    },
    me.signingSecret,
  ) as ReshareFinalize;
}
