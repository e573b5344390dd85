/**
 * The three steps of a genesis (DKG) ceremony, as functions from the public state and the author's
 * keys and round state to the artifact the author publishes and the round state kept after it:
 * round 1 (a fresh polynomial, its commitment and proof of knowledge), round 2 (a share for every
 * other participant, sealed to them), finalize (the shares addressed to me opened and checked, my
 * verifying share published). The CLI (src/cli/dkg-run.ts) adds files and passphrases; the demo,
 * tests, fuzz tests and benchmarks call these directly. Beside them: join-steps.ts.
 */
import { digest, signArtifact } from '../artifacts/canonical.js';
import { identityFields } from '../artifacts/identity.js';
import { DkgManifest, FORMATS, Finalize, Round1, Round2 } from '../artifacts/schemas.js';
import { DealtShare, Round1Secret, combineShares, dealShares, dkgRound1 } from '../crypto/dkg.js';
import { RecipientKeys, hpkeInfo, open, recipientKeys, seal } from '../crypto/hpke.js';
import { evaluatePolynomial } from '../crypto/msm.js';
import {
  CIPHERSUITE,
  Fn,
  Point,
  bytesToHex,
  compareIdentifiers,
  decodeScalar,
  encodePoint,
  hexToBytes,
} from '../crypto/suite.js';
import { SssError } from '../errors.js';
import { DkgAudit } from './dkg.js';
import { Author } from './join-steps.js';

/** The HPKE info label of a round-2 share (hpkeInfo binds it to the ceremony, dealer and recipient). */
export const SHARE_LABEL = 'sss-tool/v1 dkg-share';

/** A participant's private round state (age-encrypted in the home dir; src/artifacts/private-state.ts). */
export interface DkgState {
  format: 'sss-tool/dkg-state@1';
  ceremony: string;
  moniker: string;
  secret: Round1Secret;
  round1: Round1;
  /** `seen`: the digest of each participant's round-1 artifact, to name who changed it later. */
  round2?: { round1Digest: string; artifact: Round2; seen?: Record<string, string> };
}

/** ceremony.json for a new genesis ceremony. */
export function dkgManifest(
  ceremony: string,
  threshold: number,
  participants: number,
  allowList?: string[],
  allowAccounts?: Record<string, string>,
): DkgManifest {
  return {
    format: FORMATS.ceremony,
    ceremony,
    kind: 'dkg',
    ciphersuite: CIPHERSUITE,
    threshold,
    participants,
    ...(allowList ? { allowList } : {}),
    ...(allowAccounts ? { allowAccounts } : {}),
    identityBinding: 'github-ssh-signing-key',
  };
}

/** Round 1: a fresh polynomial of degree M−1; the signed commitment and the state that keeps it. */
export function dkgCommit(
  ceremony: string,
  me: Author,
  threshold: number,
  participants: number,
): { artifact: Round1; state: DkgState } {
  const { pkg, secret } = dkgRound1(me.identifier, { min: threshold, max: participants });
  const artifact = signArtifact(
    {
      format: FORMATS.round1,
      ceremony,
      ...identityFields(me),
      threshold,
      participants,
      commitment: pkg.commitment,
      proofOfKnowledge: pkg.proofOfKnowledge,
    },
    me.signingSecret,
  ) as Round1;
  return {
    artifact,
    state: { format: 'sss-tool/dkg-state@1', ceremony, moniker: me.moniker, secret, round1: artifact },
  };
}

/**
 * Round 2, over an audit whose round 1 is closed: f_i(x_j) for every other participant j, sealed
 * to j's encryption key, bound to the digest of the round-1 artifacts this author saw.
 */
export async function dkgDeal(
  audit: DkgAudit,
  me: Author,
  state: DkgState,
  /** Called before each recipient's share is sealed (the CLI's progress line). */
  onEach?: (recipient: string) => void,
): Promise<{ artifact: Round2; state: DkgState }> {
  const others = [...audit.round1.values()]
    .filter((r) => r.artifact.moniker !== me.moniker)
    .sort((a, b) => compareIdentifiers(a.artifact.identifier, b.artifact.identifier));
  const dealt = dealShares(
    state.secret,
    others.map((r) => r.artifact.identifier),
  );
  const shares = [];
  for (const r of others) {
    onEach?.(r.artifact.moniker);
    const plain = Fn.toBytes(dealt.get(r.artifact.identifier)!);
    const info = hpkeInfo(SHARE_LABEL, audit.ceremony, me.identifier, r.artifact.identifier);
    const sealed = await seal(hexToBytes(r.artifact.encryptionKey), info, plain);
    plain.fill(0);
    shares.push({
      recipient: r.artifact.moniker,
      enc: bytesToHex(sealed.enc),
      ciphertext: bytesToHex(sealed.ciphertext),
    });
  }
  const round1Digest = audit.round1Digest!;
  const artifact = signArtifact(
    {
      format: FORMATS.round2,
      ceremony: audit.ceremony,
      moniker: me.moniker,
      identifier: me.identifier,
      round1Digest,
      shares,
    },
    me.signingSecret,
  ) as Round2;
  const seen = Object.fromEntries([...audit.round1].map(([m, r]) => [m, digest(r.artifact)]));
  return { artifact, state: { ...state, round2: { round1Digest, artifact, seen } } };
}

/**
 * Finalize, first half: opens the share each other dealer sealed to me (naming the dealer whose
 * share does not open or is not a scalar), adds my own f_i(x_i), and checks the sum against the
 * group commitment with one MSM (combineShares names the dealers whose share does not match).
 */
export async function openShares(
  audit: DkgAudit,
  me: Author,
  state: DkgState,
  /** Called before each dealer's share is opened (the CLI's progress line). */
  onEach?: (dealer: string) => void,
): Promise<{ signingShare: bigint; verifyingShare: Point }> {
  const mine = audit.round1.get(me.moniker)!;
  const dealt: DealtShare[] = [];
  const keys = await recipientKeys(me.encryptionSecret);
  for (const [dealer, { file, artifact }] of audit.round2) {
    if (dealer === me.moniker) continue;
    onEach?.(dealer);
    const i = artifact.shares.findIndex((s) => s.recipient === me.moniker);
    const share = await openShare(audit.ceremony, { me, keys }, artifact, i, { file, dealer });
    dealt.push({ dealer, commitment: audit.round1.get(dealer)!.commitment, share });
  }
  const coefficients = state.secret.coefficients.map((c, k) => decodeScalar(c, `coefficients.${k}`));
  dealt.push({ dealer: me.moniker, commitment: mine.commitment, share: evaluatePolynomial(coefficients, mine.x) });
  try {
    return combineShares(mine.x, dealt, audit.groupCommitment!);
  } catch (e) {
    const err = e as SssError;
    const file = err.culprits.length ? audit.round2.get(err.culprits[0])?.file : undefined;
    throw new SssError(err.reason, { code: err.code, file, field: 'shares', culprits: err.culprits });
  }
}

async function openShare(
  ceremony: string,
  { me, keys }: { me: Author; keys: RecipientKeys },
  artifact: Round2,
  i: number,
  where: { file: string; dealer: string },
): Promise<bigint> {
  const field = `shares.${i}.ciphertext`;
  const blame = { code: 'inconsistent' as const, file: where.file, field, culprit: where.dealer };
  let plain: Uint8Array;
  try {
    const s = artifact.shares[i];
    const info = hpkeInfo(SHARE_LABEL, ceremony, artifact.identifier, me.identifier);
    plain = await open(keys, info, { enc: hexToBytes(s.enc), ciphertext: hexToBytes(s.ciphertext) });
  } catch {
    throw new SssError('the share addressed to you does not decrypt', blame);
  }
  try {
    return decodeScalar(bytesToHex(plain), field);
  } catch (e) {
    throw new SssError(`decrypted share: ${(e as SssError).reason}`, blame);
  } finally {
    plain.fill(0);
  }
}

/** Finalize, second half: the signed artifact that publishes my verifying share. */
export function dkgFinalize(audit: DkgAudit, me: Author, verifyingShare: string): Finalize {
  return signArtifact(
    {
      format: FORMATS.finalize,
      ceremony: audit.ceremony,
      moniker: me.moniker,
      identifier: me.identifier,
      round1Digest: audit.round1Digest!,
      round2Digest: audit.round2Digest!,
      groupKey: encodePoint(audit.groupCommitment![0]),
      verifyingShare,
    },
    me.signingSecret,
  ) as Finalize;
}
