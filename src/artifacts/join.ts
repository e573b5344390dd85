/**
 * The join (enrollment) ceremony's files, docs/protocol.md §7 "Adding a participant":
 * ceremony.json (kind join), request.json (the newcomer), approvals/<moniker>.json (each approver),
 * finalize.json (the newcomer). Strict schemas, as for every artifact.
 */
import { z } from 'zod';
import { CIPHERSUITE, compareIdentifiers } from '../crypto/suite.js';
import { digest } from './canonical.js';
import {
  FORMATS,
  MAX_PARTICIPANTS,
  byMoniker,
  ceremonyId,
  endpoint,
  githubLogin,
  hex,
  hex32,
  identityBinding,
  moniker,
  signature,
} from './schemas.js';

/** ceremony.json of a join: the group state it extends, named and pinned by digest. */
export const JoinManifest = z.strictObject({
  format: z.literal(FORMATS.ceremony),
  ceremony: ceremonyId,
  kind: z.literal('join'),
  ciphersuite: z.literal(CIPHERSUITE),
  threshold: z.number().int(),
  /** The group key, which the join does not change. */
  publicKey: hex32,
  /** The last ceremony of the group state this join starts from (the genesis or a join). */
  extends: ceremonyId,
  /** SHA-256 of the canonical JSON of that group package (public_info/group.json). */
  groupDigest: hex32,
  identityBinding: identityBinding.optional(),
  /**
   * The GitHub account a maintainer opened this join for (`join-open --github`): only a request
   * declaring that login is accepted, so nobody else can take the invitation (docs/protocol.md §7.1).
   */
  newcomerGithub: githubLogin.optional(),
});
export type JoinManifest = z.infer<typeof JoinManifest>;

export const JoinRequest = z.strictObject({
  format: z.literal(FORMATS.joinRequest),
  ceremony: ceremonyId,
  moniker,
  identifier: hex32,
  signingKey: hex32,
  encryptionKey: hex32,
  github: githubLogin.optional(),
  endpoint: endpoint.optional(),
  /** The group state the newcomer asks to join (the manifest's groupDigest, signed). */
  groupDigest: hex32,
  /** A fresh X25519 key for this join only: the fragments are encrypted to it. */
  joinKey: hex32,
  /** The approver set H, sorted by identifier. */
  approvers: z.array(moniker).min(1).max(MAX_PARTICIPANTS),
  signature,
});
export type JoinRequest = z.infer<typeof JoinRequest>;

export const JoinApproval = z.strictObject({
  format: z.literal(FORMATS.joinApproval),
  ceremony: ceremonyId,
  moniker,
  identifier: hex32,
  /** Digest of the request approved: an approval cannot be moved to another request. */
  requestDigest: hex32,
  /** HPKE(σ_i) to the request's joinKey. */
  fragment: z.strictObject({ enc: hex32, ciphertext: hex(48) }),
  /** S_i = σ_i·G. */
  fragmentCommitment: hex32,
  /** M_ik = m_ik·G for every partner k in H, by the partner's moniker (64-byte encoding: point, then x). */
  maskCommitments: byMoniker(hex(64)),
  signature,
});
export type JoinApproval = z.infer<typeof JoinApproval>;

export const JoinFinalize = z.strictObject({
  format: z.literal(FORMATS.joinFinalize),
  ceremony: ceremonyId,
  moniker,
  identifier: hex32,
  requestDigest: hex32,
  /** Digest of all |H| approvals, sorted by identifier: the newcomer saw exactly these. */
  approvalsDigest: hex32,
  /** Y_n = s_n·G, which must equal Σ S_i and Y(x_n). */
  verifyingShare: hex32,
  signature,
});
export type JoinFinalize = z.infer<typeof JoinFinalize>;

/** SHA-256 of the request's canonical JSON (signature included). */
export function requestDigestOf(request: JoinRequest): string {
  return digest(request);
}

/** SHA-256 of the canonical list of approvals, sorted by identifier. */
export function approvalsDigestOf(approvals: JoinApproval[]): string {
  return digest([...approvals].sort((a, b) => compareIdentifiers(a.identifier, b.identifier)));
}
