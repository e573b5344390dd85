/**
 * The reshare ceremony's files (docs/resharing.md): ceremony.json (kind reshare, the proposal a
 * maintainer opens), dealings/<moniker>.json (each dealer, an old holder), finalize/<moniker>.json
 * (each new holder). Strict schemas, as for every artifact.
 */
import { z } from 'zod';
import { CIPHERSUITE, compareIdentifiers } from '../crypto/suite.js';
import { digest } from './canonical.js';
import {
  FORMATS,
  MAX_PARTICIPANTS,
  ceremonyId,
  endpoint,
  githubLogin,
  hex,
  hex32,
  moniker,
  signature,
} from './schemas.js';

export const RESHARE_FORMATS = {
  dealing: 'sss-tool/reshare-dealing@1',
  finalize: 'sss-tool/reshare-finalize@1',
} as const;

/** A new holder's public identity, as the proposal names it (a continuing holder's equals group.json's). */
export const HolderIdentity = z.strictObject({
  moniker,
  identifier: hex32,
  signingKey: hex32,
  encryptionKey: hex32,
  github: githubLogin.optional(),
  endpoint: endpoint.optional(),
});
export type HolderIdentity = z.infer<typeof HolderIdentity>;

/** ceremony.json of a reshare: the group state it replaces, and the new group's shape. */
export const ReshareManifest = z.strictObject({
  format: z.literal(FORMATS.ceremony),
  ceremony: ceremonyId,
  kind: z.literal('reshare'),
  ciphersuite: z.literal(CIPHERSUITE),
  /** The group's threshold M today: how many dealers the new shares are combined from. */
  threshold: z.number().int(),
  /** The group key, which the reshare does not change. */
  publicKey: hex32,
  /** The last ceremony of the group state this reshare starts from. */
  extends: ceremonyId,
  /** SHA-256 of the canonical JSON of that group package (public_info/group.json). */
  groupDigest: hex32,
  /** The epoch the new group will have: the old one's plus one (an absent epoch is 0). */
  epoch: z.number().int().min(1),
  /** M': the new group's threshold. */
  newThreshold: z.number().int(),
  /** The old holders asked to deal (at least M), sorted by identifier. */
  dealers: z.array(moniker).min(1).max(MAX_PARTICIPANTS),
  /** The new holder set: continuing holders and newcomers, sorted by identifier. */
  holders: z.array(HolderIdentity).min(1).max(MAX_PARTICIPANTS),
});
export type ReshareManifest = z.infer<typeof ReshareManifest>;

export const ReshareShare = z.strictObject({
  recipient: moniker,
  enc: hex32,
  ciphertext: hex(48),
});

export const ReshareDealing = z.strictObject({
  format: z.literal(RESHARE_FORMATS.dealing),
  ceremony: ceremonyId,
  moniker,
  identifier: hex32,
  /** Digest of ceremony.json: a dealing cannot be moved to another proposal. */
  proposalDigest: hex32,
  /** E_0..E_{M'−1}; E_0 must equal the dealer's verifying share. */
  commitment: z.array(hex32).min(2).max(MAX_PARTICIPANTS),
  /** HPKE(g_i(x'_j)) to each new holder's encryption key, in the proposal's holder order. */
  shares: z.array(ReshareShare).min(1).max(MAX_PARTICIPANTS),
  signature,
});
export type ReshareDealing = z.infer<typeof ReshareDealing>;

export const ReshareFinalize = z.strictObject({
  format: z.literal(RESHARE_FORMATS.finalize),
  ceremony: ceremonyId,
  moniker,
  identifier: hex32,
  proposalDigest: hex32,
  /** Q: the M dealers whose sharings were combined, sorted by identifier; the same in every finalize. */
  qualified: z.array(moniker).min(1).max(MAX_PARTICIPANTS),
  /** Digest of Q's dealings (sorted by identifier): the new holder combined exactly these. */
  dealingsDigest: hex32,
  /** Y'_j = s'_j·G, which must equal Σ_k x'_j^k·C'_k. */
  verifyingShare: hex32,
  signature,
});
export type ReshareFinalize = z.infer<typeof ReshareFinalize>;

/** SHA-256 of the proposal's canonical JSON. */
export function proposalDigestOf(manifest: ReshareManifest): string {
  return digest(manifest);
}

/** SHA-256 of the canonical list of dealings, sorted by the dealer's identifier. */
export function dealingsDigestOf(dealings: ReshareDealing[]): string {
  return digest([...dealings].sort((a, b) => compareIdentifiers(a.identifier, b.identifier)));
}
