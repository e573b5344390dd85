/**
 * The sss-tool library: what a Node server imports to sign in-process (docs/signing.md).
 * A flat list of re-exports; the modules hold the code.
 */
export { openShare, Cosigner, type CosignerOptions } from './local/cosigner.js';
export {
  aggregate,
  aggregateSignature,
  checkCommitmentList,
  commitmentsDigest,
  messageDigest,
  newSessionId,
  parseSignCommitment,
  parseSignShare,
  signingGroup,
  verifyShare,
  SESSION,
  SIGN_FORMATS,
  type Aggregated,
  type GroupLike,
  type SignCommitment,
  type SignNonces,
  type SignShare,
} from './artifacts/signing.js';
export { SigningGroup, verifySignature, type GroupPublic } from './crypto/sign.js';
export { assembleJwt, jwtHeader, jwtSigningInput, parseClaims, type JwtClaims } from './crypto/jwt.js';
export { readShareFile, type ShareFile } from './local/share.js';
export { SssError, type SssErrorCode } from './errors.js';
