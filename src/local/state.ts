/**
 * The shapes of the home dir's own files, checked whenever they are read: identity.json (public),
 * and inside their age encryption the identity's secret keys and the round state of a genesis or
 * a join. A file edited by hand, or left by another version, is refused naming the field, never
 * half-read. (The share file's schema is in share.ts, the nonces' in src/artifacts/signing.ts.)
 */
import { z } from 'zod';
import { JoinManifest, JoinRequest } from '../artifacts/join.js';
import { Round1, Round2, ceremonyId, endpoint, githubLogin, hex32, moniker } from '../artifacts/schemas.js';

export const PublicIdentityFile = z.strictObject({
  format: z.literal('sss-tool/identity@1'),
  moniker,
  identifier: hex32,
  signingKey: hex32,
  encryptionKey: hex32,
  github: githubLogin.optional(),
  endpoint: endpoint.optional(),
});

export const IdentitySecretFile = z.strictObject({
  format: z.literal('sss-tool/identity-secret@1'),
  moniker,
  signingSecret: hex32,
  encryptionSecret: hex32,
});

/** src/ceremony/dkg-steps.ts's DkgState. */
export const DkgStateFile = z.strictObject({
  format: z.literal('sss-tool/dkg-state@1'),
  ceremony: ceremonyId,
  moniker,
  secret: z.strictObject({
    identifier: hex32,
    signers: z.strictObject({ min: z.number().int(), max: z.number().int() }),
    coefficients: z.array(hex32),
    commitment: z.array(hex32),
  }),
  round1: Round1,
  round2: z
    .strictObject({
      round1Digest: hex32,
      artifact: Round2,
      seen: z.record(z.string(), hex32).optional(),
    })
    .optional(),
});

/** The newcomer's state for one join: the join key's secret, the manifest and request it made. */
export const JoinStateFile = z.strictObject({
  format: z.literal('sss-tool/join-state@1'),
  ceremony: ceremonyId,
  moniker,
  joinSecret: hex32,
  manifest: JoinManifest,
  request: JoinRequest,
});
export type JoinState = z.infer<typeof JoinStateFile>;
