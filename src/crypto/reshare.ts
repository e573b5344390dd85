/**
 * Resharing (docs/resharing.md): the group key stays, the holders, the threshold and every share
 * change. The old group has a polynomial f of degree M−1 with f(0) = s (the key), holders' shares
 * s_i = f(x_i), verifying shares Y_i = s_i·G and commitment C. The new group is a set of holders
 * at x'_j with threshold M'.
 *
 * Dealing. Each dealer i (an old holder) picks a random polynomial g_i of degree M'−1 with
 * g_i(0) = s_i, its raw share, and publishes the Feldman commitment E_ik = a_ik·G (k < M'), and
 * σ_ij = g_i(x'_j) encrypted to each new holder j. Public check: E_i0 == Y_i, byte for byte
 * against group.json: the dealer shares its own share, nothing else, so it cannot shift the key.
 *
 * Combining. The dealing set is known only when dealers have dealt, so the Lagrange weights are
 * applied by whoever combines, over the qualified set Q actually used (|Q| = M, Q ⊆ the dealers
 * whose dealing is valid; the finalize artifacts name Q):
 *   λ_i = Π_{k∈Q, k≠i} x_k / (x_k − x_i)          (Lagrange at 0 over Q's old identifiers)
 *   f'(z) = Σ_{i∈Q} λ_i·g_i(z)                     (degree M'−1)
 *   f'(0) = Σ λ_i·s_i = f(0) = s                   (any M points of f interpolate it)
 *   s'_j  = f'(x'_j) = Σ_{i∈Q} λ_i·σ_ij            (new holder j's share)
 *   C'_k  = Σ_{i∈Q} λ_i·E_ik                        (the new group commitment; C'_0 = Σ λ_i·Y_i = C_0)
 *   Y'_j  = Σ_k x'_j^k·C'_k                         (its verifying share; public)
 * Dealing raw shares (weight applied later) rather than λ-weighted ones means a dealing does not
 * depend on who else deals, so one bad dealer is replaced by another without anyone dealing again,
 * and the public check needs no λ: E_i0 == Y_i ⇔ λ_i·E_i0 == λ_i·Y_i.
 *
 * New holder j checks σ_ij·G == Σ_k x'_j^k·E_ik for every dealing it receives (a mismatch names
 * the dealer), then s'_j·G == Y'_j. Everyone checks C'_0 == the group key, C' in the prime-order
 * subgroup, and each published Y'_j against C' (one batched MSM).
 *
 * Secrecy: a dealer reveals nothing of s_i beyond E_i0 = Y_i, already public; any M'−1 new holders
 * see M'−1 points of each g_i, which are uniformly random. Old shares are points of f, new ones of
 * f': unrelated polynomials (f' − s is random), so old and new shares never combine.
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { SssError } from '../errors.js';
import { assertPrimeOrder, Fn, Point } from './suite.js';
import { evaluateCommitment, evaluatePolynomial, msm, powers, randomWeight } from './msm.js';
import { lagrangeCoefficients } from './join.js';

/** HPKE info label of a reshared share (domain-separated from DKG shares and join fragments). */
export const RESHARE_LABEL = 'sss-tool/v1 reshare-share';

/** A uniformly random non-zero scalar (64 bytes reduced: bias below 2^-250). */
function randomScalar(): bigint {
  const b = randomBytes(64);
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]);
  const s = Fn.create(n);
  return s === 0n ? 1n : s;
}

export interface Dealing {
  /** E_i0..E_i,M'−1; E_i0 = s_i·G. */
  commitment: Point[];
  /** σ_ij = g_i(x'_j), in the order of `recipients`. */
  shares: bigint[];
}

/**
 * Dealer i's fresh sharing of its own share s_i: a random g_i of degree M'−1 with g_i(0) = s_i,
 * evaluated at each new holder. The coefficients are wiped before returning.
 */
export function dealReshare(signingShare: bigint, newThreshold: number, recipients: bigint[]): Dealing {
  if (!Number.isInteger(newThreshold) || newThreshold < 2)
    throw new SssError('the new threshold must be an integer of at least 2', { code: 'usage', field: 'newThreshold' });
  if (signingShare === 0n) throw new SssError('signing share is zero', { code: 'malformed', field: 'signingShare' });
  const coefficients = [signingShare];
  for (let k = 1; k < newThreshold; k++) coefficients.push(randomScalar());
  const commitment = coefficients.map((a) => Point.BASE.multiply(a));
  const shares = recipients.map((x) => evaluatePolynomial(coefficients, x));
  coefficients.fill(0n);
  return { commitment, shares };
}

/** λ_i at 0 over the qualified set's old identifiers, in the order given. */
export function qualifiedWeights(qualifiedXs: bigint[]): bigint[] {
  if (new Set(qualifiedXs).size !== qualifiedXs.length)
    throw new SssError('a dealer is named twice in the qualified set', { code: 'duplicate', field: 'qualified' });
  return lagrangeCoefficients(qualifiedXs, 0n);
}

/**
 * C'_k = Σ_{i∈Q} λ_i·E_ik: the new group commitment. Every point must be in the prime-order
 * subgroup (the dealers' points are decoded but not subgroup-checked) and C'_0 must be the key.
 */
export function resharedCommitment(commitments: Point[][], weights: bigint[], groupKey: Point): Point[] {
  const m = commitments[0].length;
  const out: Point[] = [];
  for (let k = 0; k < m; k++) {
    const C = msm(
      commitments.map((E) => E[k]),
      weights,
    );
    if (C.is0())
      throw new SssError('the reshared commitment has an identity point', {
        code: 'malformed',
        field: `commitment.${k}`,
      });
    out.push(assertPrimeOrder(C, `commitment.${k}`));
  }
  if (!out[0].equals(groupKey))
    throw new SssError('the reshared commitment does not keep the group key (Σ λ_i·E_i0 ≠ C_0)', {
      code: 'mismatch',
      field: 'commitment.0',
    });
  return out;
}

export interface ReceivedShare {
  /** Who is named if the share is wrong. */
  dealer: string;
  sigma: bigint;
  commitment: Point[];
}

/**
 * The dealers whose share to x does not match their commitment: σ_i·G ≠ Σ_k x^k·E_ik. All at once
 * first, with random weights r_i: (Σ r_i·σ_i)·G == Σ_i Σ_k (r_i·x^k)·E_ik, one MSM; dealer by
 * dealer only when that fails. The batch is exact on the prime-order part; a torsion component
 * in some E_ik that it might miss cannot matter: C' is checked to be torsion-free, and the share
 * is checked exactly against C' (combineReshared).
 */
export function badReceivedShares(x: bigint, received: ReceivedShare[]): string[] {
  // A zero share is wrong (g_i(x) = 0 for a random g_i is negligible) and noble refuses 0·G.
  const zero = received.filter((r) => r.sigma === 0n).map((r) => r.dealer);
  const rest = received.filter((r) => r.sigma !== 0n);
  if (!rest.length) return zero;
  const xs = powers(x, rest[0].commitment.length);
  const weights = rest.map(() => randomWeight());
  let lhs = 0n;
  rest.forEach((r, i) => (lhs = Fn.add(lhs, Fn.mul(weights[i], r.sigma))));
  const points = rest.flatMap((r) => r.commitment);
  const scalars = rest.flatMap((r, i) => r.commitment.map((_, k) => Fn.mul(weights[i], xs[k])));
  if (lhs !== 0n && Point.BASE.multiply(lhs).equals(msm(points, scalars))) return zero;
  return [
    ...zero,
    ...rest.filter((r) => !Point.BASE.multiply(r.sigma).equals(msm(r.commitment, xs))).map((r) => r.dealer),
  ];
}

/**
 * New holder j's share: s'_j = Σ λ_i·σ_ij over Q (received in Q's order), checked against the new
 * commitment: s'_j·G == Y'(x'_j).
 */
export function combineReshared(
  x: bigint,
  sigmas: bigint[],
  weights: bigint[],
  commitment: Point[],
): { signingShare: bigint; verifyingShare: Point } {
  let s = 0n;
  sigmas.forEach((sigma, i) => (s = Fn.add(s, Fn.mul(weights[i], sigma))));
  if (s === 0n) throw new SssError('the reshared share is zero', { code: 'inconsistent' });
  const Y = Point.BASE.multiply(s);
  if (!Y.equals(evaluateCommitment(commitment, x)))
    throw new SssError('the reshared share does not match the new group commitment', { code: 'inconsistent' });
  return { signingShare: s, verifyingShare: Y };
}
