/**
 * Pedersen DKG with proofs of knowledge, as in frost-rs and noble's `ed25519_FROST.DKG`, with
 * round packages byte-compatible with both. Round 1 is noble's own; the share computation and the
 * final check are ours because noble checks every dealer separately (N·M scalar multiplications):
 * here all received shares are checked at once against the group commitment with one MSM, and
 * dealers are checked one by one only to name a culprit.
 */
import { mulAddUnsafe } from '@noble/curves/abstract/curve.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { SssError } from '../errors.js';
import {
  Fn,
  Point,
  frost,
  CIPHERSUITE,
  decodeScalar,
  decodePoint,
  encodePoint,
  encodeScalar,
  hexToBytes,
  assertPrimeOrder,
  isPrimeOrder,
} from './suite.js';
import { evaluateCommitment, evaluatePolynomial, msm, powers, randomWeight } from './msm.js';

export interface Signers {
  min: number;
  max: number;
}

/** Round-1 public package (noble/frost-rs shape, hex-encoded). */
export interface Round1Package {
  identifier: string;
  commitment: string[];
  proofOfKnowledge: string;
}

/** Round-1 secret state: the polynomial. Lives only age-encrypted in the participant's home. */
export interface Round1Secret {
  identifier: string;
  signers: Signers;
  coefficients: string[];
  commitment: string[];
}

/** Starts the DKG: a random polynomial of degree min-1, its commitment and a proof of knowledge. */
export function dkgRound1(identifier: string, signers: Signers): { pkg: Round1Package; secret: Round1Secret } {
  const r = frost.DKG.round1(identifier, signers);
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  const pkg: Round1Package = {
    identifier: r.public.identifier,
    commitment: r.public.commitment.map(hex),
    proofOfKnowledge: hex(r.public.proofOfKnowledge),
  };
  const secret: Round1Secret = {
    identifier,
    signers: { ...signers },
    coefficients: (r.secret.coefficients ?? []).map(encodeScalar),
    commitment: pkg.commitment,
  };
  frost.DKG.clean(r.secret);
  return { pkg, secret };
}

const DKG_DST = utf8ToBytes(CIPHERSUITE + 'dkg');

/** noble's HDKG: SHA-512(DST || id || C_0 || R) read little-endian, reduced mod the order. */
function pokChallenge(id: bigint, c0: Point, R: Point): bigint {
  const h = sha512(concatBytes(DKG_DST, Fn.toBytes(id), c0.toBytes(), R.toBytes()));
  let n = 0n;
  for (let i = h.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(h[i]);
  return Fn.create(n);
}

/**
 * The proof of knowledge of C_0's discrete log, R == z·G − c·C_0 (R and z are the proof's two
 * halves: R a valid point, z below the order, else SssError). `known`: the equation was already
 * found to hold for these very values in this process (a decode worker), so only the halves are
 * checked here.
 */
export function proofHolds(id: bigint, c0: Point, proofOfKnowledge: string, known = false): boolean {
  const R = decodePoint(proofOfKnowledge.slice(0, 64), 'proofOfKnowledge');
  const z = decodeScalar(proofOfKnowledge.slice(64), 'proofOfKnowledge');
  if (known) return true;
  const c = pokChallenge(id, c0, R);
  // z·G + c·(−C_0) in one pass: the two products share their doublings, and G's precomputed table
  // (some 1,400 points to build) is not needed, which a process that checks a few proofs would
  // otherwise build first. −C_0 is negated as a point, not c as a scalar: L − c would differ from
  // −c on a C_0 with a torsion part, and the equation must stay exact (cofactorless), as noble's.
  return R.equals(mulAddUnsafe(Point, [Point.BASE, c0.negate()], [z, c]));
}

/** Proofs a decode worker verified in this process: identifier, C_0 and proof, as hex. */
const verifiedProofs = new Set<string>();

export function markProofVerified(identifier: string, c0: string, proofOfKnowledge: string): void {
  if (verifiedProofs.size > 100_000) verifiedProofs.clear();
  verifiedProofs.add(`${identifier}:${c0}:${proofOfKnowledge}`);
}

/** Whether a decode worker verified this proof in this process. */
export function proofKnown(identifier: string, c0: string, proofOfKnowledge: string): boolean {
  return verifiedProofs.has(`${identifier}:${c0}:${proofOfKnowledge}`);
}

/**
 * Decodes and checks a round-1 package: M valid points and a proof of knowledge of the constant
 * term (R == z·G − c·C_0). Field names are relative to the package.
 */
export function checkRound1Package(
  pkg: Round1Package,
  signers: Signers,
  /** The caller verified this very proof before (an attested round 1, src/ceremony/dkg-precheck.ts). */
  attested = false,
): { id: bigint; commitment: Point[] } {
  const id = decodeScalar(pkg.identifier, 'identifier');
  if (id === 0n) throw new SssError('identifier is zero', { code: 'malformed', field: 'identifier' });
  if (pkg.commitment.length !== signers.min)
    throw new SssError(`expected ${signers.min} commitment points (the threshold), got ${pkg.commitment.length}`, {
      code: 'malformed',
      field: 'commitment',
    });
  const commitment = pkg.commitment.map((c, k) => decodePoint(c, `commitment.${k}`));
  // A decode worker may have done the equation already (the same function, on the same three values),
  // or the caller before (attested): R and z are still decoded and checked.
  const known = attested || proofKnown(pkg.identifier, pkg.commitment[0], pkg.proofOfKnowledge);
  if (!proofHolds(id, commitment[0], pkg.proofOfKnowledge, known))
    throw new SssError('invalid proof of knowledge', { code: 'signature', field: 'proofOfKnowledge' });
  return { id, commitment };
}

/** My polynomial evaluated at each recipient identifier: the shares I deal in round 2. */
export function dealShares(secret: Round1Secret, recipients: string[]): Map<string, bigint> {
  const coeffs = secret.coefficients.map((c, k) => decodeScalar(c, `coefficients.${k}`));
  const out = new Map<string, bigint>();
  for (const r of recipients) {
    if (r === secret.identifier)
      throw new SssError('a dealer does not send a share to itself', { code: 'not-allowed' });
    out.set(r, evaluatePolynomial(coeffs, decodeScalar(r, 'identifier')));
  }
  return out;
}

/**
 * C_k = Σ_j C_jk over every dealer: the group's commitment (C_0 is the group key), none of it the
 * identity, all of it in the prime-order subgroup (`primeOrderKnown`: the caller found so before,
 * for these very commitments).
 */
export function groupCommitment(commitments: Point[][], primeOrderKnown = false): Point[] {
  const m = commitments[0].length;
  const acc: Point[] = new Array(m).fill(Point.ZERO);
  for (const c of commitments) for (let k = 0; k < m; k++) acc[k] = acc[k].add(c[k]);
  acc.forEach((p, k) => {
    if (p.is0())
      throw new SssError('the group commitment has an identity point', { code: 'malformed', field: `commitment.${k}` });
    if (!primeOrderKnown) assertPrimeOrder(p, `commitment.${k}`);
  });
  return acc;
}

/**
 * s·G in constant time. noble's multiply refuses 0, but a dealer can send a zero share: that must
 * fail the commitment check and name the dealer, not escape as a RangeError.
 */
function baseTimes(s: bigint): Point {
  return s === 0n ? Point.ZERO : Point.BASE.multiply(s);
}

export interface DealtShare {
  dealer: string;
  /** The dealer's decoded commitment. */
  commitment: Point[];
  share: bigint;
}

/**
 * Checks the shares I received with one MSM: (Σ_j s_ji)·G == Σ_k x^k·C_k. On failure finds
 * the dealers whose share does not match their own commitment and throws naming them.
 * Returns my signing share s_i = Σ_j s_ji and verifying share s_i·G.
 */
export function combineShares(
  x: bigint,
  dealt: DealtShare[],
  group: Point[],
): { signingShare: bigint; verifyingShare: Point } {
  let s = 0n;
  for (const d of dealt) s = Fn.add(s, d.share);
  const Y = baseTimes(s);
  if (Y.equals(evaluateCommitment(group, x))) return { signingShare: s, verifyingShare: Y };
  const xs = powers(x, group.length);
  const culprits = dealt.filter((d) => !baseTimes(d.share).equals(msm(d.commitment, xs))).map((d) => d.dealer);
  throw new SssError(
    culprits.length ? "share does not match its dealer's commitment" : 'the shares do not sum to the group commitment',
    { code: 'inconsistent', culprits },
  );
}

/**
 * Checks that every verifying share Y_i equals Σ_k x_i^k·C_k, in one random linear combination:
 * Σ_i r_i·Y_i == Σ_k (Σ_i r_i·x_i^k)·C_k. Each Y_i must also lie in the prime-order subgroup,
 * which keeps the random combination sound. Returns the identifiers that fail (checked one by one
 * only when the batch fails).
 */
export function badVerifyingShares(entries: { id: string; x: bigint; Y: Point }[], group: Point[]): string[] {
  const m = group.length;
  const weights = entries.map(() => randomWeight());
  const coef: bigint[] = new Array(m).fill(0n);
  entries.forEach((e, i) => {
    const xs = powers(e.x, m);
    for (let k = 0; k < m; k++) coef[k] = Fn.add(coef[k], Fn.mul(weights[i], xs[k]));
  });
  const torsion = entries.filter((e) => !isPrimeOrder(e.Y)).map((e) => e.id);
  if (torsion.length) return torsion;
  const lhs = msm(
    entries.map((e) => e.Y),
    weights,
  );
  if (lhs.equals(msm(group, coef))) return [];
  return entries.filter((e) => !e.Y.equals(evaluateCommitment(group, e.x))).map((e) => e.id);
}

export { decodePoint, encodePoint, hexToBytes };
