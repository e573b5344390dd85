/**
 * Multi-scalar multiplication over public inputs (variable time), and the polynomial helpers the
 * DKG and enrollment checks are built from.
 */
import { mulAddUnsafe, pippenger } from '@noble/curves/abstract/curve.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { Fn, Point } from './suite.js';

/** Σ scalars[i]·points[i]. Strauss (wNAF) for small inputs, Pippenger for large ones. */
export function msm(points: Point[], scalars: bigint[]): Point {
  if (points.length === 0) return Point.ZERO;
  return points.length < 128 ? mulAddUnsafe(Point, points, scalars) : pippenger(Point, points, scalars);
}

/** [1, x, x^2, …, x^(m-1)] mod the group order. */
export function powers(x: bigint, m: number): bigint[] {
  const out: bigint[] = new Array(m);
  let acc = 1n;
  for (let k = 0; k < m; k++) {
    out[k] = acc;
    acc = Fn.mul(acc, x);
  }
  return out;
}

/** f(x) = Σ coefficients[k]·x^k mod the group order (Horner). */
export function evaluatePolynomial(coefficients: bigint[], x: bigint): bigint {
  let acc = 0n;
  for (let k = coefficients.length - 1; k >= 0; k--) acc = Fn.add(Fn.mul(acc, x), coefficients[k]);
  return acc;
}

/** Y(x) = Σ x^k·C_k: the public image of the polynomial whose coefficients C commits to. */
export function evaluateCommitment(commitment: Point[], x: bigint): Point {
  return msm(commitment, powers(x, commitment.length));
}

/** A random 128-bit non-zero scalar, for random linear combinations in batch checks. */
export function randomWeight(): bigint {
  const b = randomBytes(16);
  let n = 0n;
  for (const byte of b) n = (n << 8n) | BigInt(byte);
  return n === 0n ? 1n : n;
}

/** The Lagrange coefficient at `at` for `xi` over the set `xs` (all distinct, xi in xs). */
export function lagrangeAt(xs: bigint[], xi: bigint, at: bigint): bigint {
  let num = 1n;
  let den = 1n;
  for (const xj of xs) {
    if (xj === xi) continue;
    num = Fn.mul(num, Fn.sub(at, xj));
    den = Fn.mul(den, Fn.sub(xi, xj));
  }
  return Fn.div(num, den);
}
