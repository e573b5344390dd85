/**
 * Enrollment (docs/protocol.md §7, "Adding a participant"): a newcomer at x_n receives
 * s_n = f(x_n) = Σ_{i∈H} λ_i·s_i from an approver set H, each term masked so that no approver's
 * share is revealed, not even to the newcomer. Approver i sends
 *   σ_i = λ_i·s_i + μ_i,   μ_i = Σ_{k>i} m_ik − Σ_{k<i} m_ki   (order by identifier),
 * where m_ik is a pair mask only i and k can compute (X25519 between their identity keys); the
 * masks of a set sum to zero. Everything is public except σ_i (encrypted to the newcomer):
 *   S_i = σ_i·G   and   M_ik = m_ik·G for every partner k.
 * Public checks: both ends of a pair publish the same M_ik; S_i == λ_i·Y_i + Σ_{k>i} M_ik − Σ_{k<i} M_ki;
 * Σ_i S_i == Y(x_n). docs/joining.md explains the choices made here for speed.
 */
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { ED25519_TORSION_SUBGROUP, x25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { SssError } from '../errors.js';
import { Fn, Point, bytesToHex, hexToBytes } from './suite.js';
import { lagrangeAt, msm, randomWeight } from './msm.js';

export const MASK_LABEL = 'sss-tool/v1 join-mask';
export const FRAGMENT_LABEL = 'sss-tool/v1 join-fragment';

const Fp = Point.Fp;
const { d: D } = Point.CURVE();

/**
 * The pair mask m_ik of approvers i < k (by identifier): SHA-512 of
 * label || ceremony || request digest || x_i || x_k || X25519(sk_i, pk_k), read little-endian
 * and reduced mod the group order (a wide reduction: the bias is below 2^-250).
 * The design's formula has no request digest (docs/protocol.md §7.4); it is added so that one pair never masks two different
 * requests with the same value: two newcomers comparing fragments of one approver would otherwise
 * learn (λ_i − λ'_i)·s_i, and so s_i.
 */
export function pairMask(ceremony: string, requestDigest: string, lo: string, hi: string, shared: Uint8Array): bigint {
  const h = sha512(
    concatBytes(
      utf8ToBytes(MASK_LABEL),
      utf8ToBytes(ceremony),
      hexToBytes(requestDigest),
      hexToBytes(lo),
      hexToBytes(hi),
      shared,
    ),
  );
  return Fn.create(bytesToNumberLE(h));
}

export interface Partner {
  identifier: string;
  x: bigint;
  /** The partner's long-term X25519 encryption key (from the group package), hex. */
  encryptionKey: string;
}

export interface PairMask {
  /** The partner's identifier. */
  identifier: string;
  x: bigint;
  /** m for the pair, oriented lower identifier → higher (the same value at both ends). */
  mask: bigint;
}

/** Every pair mask of approver `me` with its partners (X25519 with its own encryption secret). */
export function pairMasks(
  ceremony: string,
  requestDigest: string,
  me: { identifier: string; x: bigint; encryptionSecret: Uint8Array },
  partners: Partner[],
): PairMask[] {
  return partners.map((p) => {
    if (p.x === me.x) throw new SssError('an approver has no pair mask with itself', { code: 'not-allowed' });
    let shared: Uint8Array;
    try {
      shared = x25519.getSharedSecret(me.encryptionSecret, hexToBytes(p.encryptionKey));
    } catch {
      throw new SssError('X25519 public key of low order', { code: 'malformed', field: 'encryptionKey' });
    }
    const [lo, hi] = me.x < p.x ? [me.identifier, p.identifier] : [p.identifier, me.identifier];
    const mask = pairMask(ceremony, requestDigest, lo, hi, shared);
    shared.fill(0);
    return { identifier: p.identifier, x: p.x, mask };
  });
}

/** μ_i = Σ_{k>i} m_ik − Σ_{k<i} m_ki: what approver i adds to its weighted share. */
export function maskSum(x: bigint, masks: PairMask[]): bigint {
  let mu = 0n;
  for (const m of masks) mu = m.x > x ? Fn.add(mu, m.mask) : Fn.sub(mu, m.mask);
  return mu;
}

/**
 * Approver i's fragment: σ_i = λ_i·s_i + μ_i with λ_i the Lagrange coefficient at x_n over H.
 * `approverXs` is H (it includes x_i); x_n must not be in it.
 */
export function joinFragment(
  x: bigint,
  signingShare: bigint,
  approverXs: bigint[],
  newcomerX: bigint,
  masks: PairMask[],
): { sigma: bigint; lambda: bigint } {
  if (approverXs.includes(newcomerX))
    throw new SssError('the newcomer is among the approvers', { code: 'not-allowed' });
  if (!approverXs.includes(x)) throw new SssError('the approver is not in the approver set', { code: 'not-allowed' });
  if (masks.length !== approverXs.length - 1)
    throw new SssError(`expected ${approverXs.length - 1} pair masks, got ${masks.length}`, { code: 'malformed' });
  const lambda = lagrangeAt(approverXs, x, newcomerX);
  return { sigma: Fn.add(Fn.mul(lambda, signingShare), maskSum(x, masks)), lambda };
}

/**
 * A mask commitment's encoding: the usual 32-byte compressed point, then its x-coordinate
 * (32 bytes, little-endian). An approval at |H| = 171 carries 170 of them and a join 171·170;
 * decompressing a point costs a square root (~60 µs), checking a given x against the curve
 * equation a few multiplications, so the x-coordinate makes the public audit ~10× cheaper.
 * The first 64 hex characters are the standard encoding of the same point.
 */
export function encodeMaskCommitment(p: Point): string {
  return bytesToHex(p.toBytes()) + bytesToHex(numberToBytesLE(p.toAffine().x, 32));
}

/** The y-coordinates of the 8 points of small order: a point is of small order iff its y is one. */
const SMALL_ORDER_Y = new Set(
  ED25519_TORSION_SUBGROUP.map((hex) => bytesToNumberLE(hexToBytes(hex)) & ((1n << 255n) - 1n)),
);

const HEX128 = /^[0-9a-f]{128}$/;

/** 32 little-endian bytes of a buffer, from `at`, as a bigint (four 64-bit reads: this is hot). */
function readLE256(b: Buffer, at: number): bigint {
  return (
    b.readBigUInt64LE(at) |
    (b.readBigUInt64LE(at + 8) << 64n) |
    (b.readBigUInt64LE(at + 16) << 128n) |
    (b.readBigUInt64LE(at + 24) << 192n)
  );
}

/**
 * Decodes a mask commitment (see encodeMaskCommitment): canonical coordinates, the sign bit of
 * the compressed half equal to x's parity, on the curve, not the identity, not of small order.
 */
export function decodeMaskCommitment(hex: unknown, field: string): Point {
  if (typeof hex !== 'string' || !HEX128.test(hex))
    throw new SssError('expected 64 bytes of lowercase hex', { code: 'malformed', field });
  const b = Buffer.from(hex, 'hex');
  const sign = b[31] >> 7;
  const y = readLE256(b, 0) & ((1n << 255n) - 1n);
  const x = readLE256(b, 32);
  if (y >= Fp.ORDER || x >= Fp.ORDER) throw new SssError('non-canonical point encoding', { code: 'malformed', field });
  if (Number(x & 1n) !== sign)
    throw new SssError('the x-coordinate does not match the sign bit of the compressed point', {
      code: 'mismatch',
      field,
    });
  const x2 = Fp.sqr(x);
  const y2 = Fp.sqr(y);
  // −x² + y² == 1 + d·x²·y²
  if (Fp.sub(y2, x2) !== Fp.add(1n, Fp.mul(D, Fp.mul(x2, y2))))
    throw new SssError('not a point on the curve', { code: 'malformed', field });
  if (x === 0n && y === 1n) throw new SssError('point is the identity', { code: 'malformed', field });
  if (SMALL_ORDER_Y.has(y)) throw new SssError('point of small order', { code: 'malformed', field });
  return Point.fromAffine({ x, y });
}

/** λ_i at `at` for every x_i in xs (all distinct): O(|xs|²) multiplications and one inversion. */
export function lagrangeCoefficients(xs: bigint[], at: bigint): bigint[] {
  const n = xs.length;
  const diff = xs.map((x) => Fn.sub(at, x));
  // numerator_i = Π_{j≠i} (at − x_j), from prefix and suffix products
  const prefix: bigint[] = new Array(n + 1);
  prefix[0] = 1n;
  for (let i = 0; i < n; i++) prefix[i + 1] = Fn.mul(prefix[i], diff[i]);
  const num: bigint[] = new Array(n);
  let suffix = 1n;
  for (let i = n - 1; i >= 0; i--) {
    num[i] = Fn.mul(prefix[i], suffix);
    suffix = Fn.mul(suffix, diff[i]);
  }
  const den = xs.map((xi, i) => {
    let acc = 1n;
    for (let j = 0; j < n; j++) if (j !== i) acc = Fn.mul(acc, Fn.sub(xi, xs[j]));
    return acc;
  });
  const inv = Fn.invertBatch(den);
  return num.map((v, i) => Fn.mul(v, inv[i]));
}

/** V_i = Σ_{k>i} M_ik − Σ_{k<i} M_ki from approver i's own published pair commitments. */
export function maskCommitmentSum(x: bigint, commitments: { x: bigint; M: Point }[]): Point {
  let v = Point.ZERO;
  for (const c of commitments) v = c.x > x ? v.add(c.M) : v.subtract(c.M);
  return v;
}

export interface ApprovalRelation {
  /** Who is named if the relation fails. */
  id: string;
  lambda: bigint;
  /** The approver's verifying share, from the group package. */
  Y: Point;
  /** The fragment commitment S_i. */
  S: Point;
  /** maskCommitmentSum of the approver's pair commitments. */
  V: Point;
}

/**
 * Checks S_i == λ_i·Y_i + V_i for every approver at once: Σ r_i·(S_i − V_i) − Σ (r_i·λ_i)·Y_i,
 * one MSM, must be of small order (the check is cofactored, as RFC 8032 allows, because S_i and
 * the pair commitments are not checked to be torsion-free; the newcomer's own check σ_i·G == S_i
 * is exact). Only when the batch fails is each approver checked alone. Returns the failing ids.
 */
export function badApprovalRelations(entries: ApprovalRelation[]): string[] {
  if (!entries.length) return [];
  const weights = entries.map(() => randomWeight());
  const points = [...entries.map((e) => e.S.subtract(e.V)), ...entries.map((e) => e.Y)];
  const scalars = [...weights, ...entries.map((e, i) => Fn.neg(Fn.mul(weights[i], e.lambda)))];
  if (msm(points, scalars).clearCofactor().is0()) return [];
  return entries
    .filter((e) => !e.S.subtract(e.V).subtract(e.Y.multiplyUnsafe(e.lambda)).clearCofactor().is0())
    .map((e) => e.id);
}

export interface OpenedFragment {
  /** Who is named if the fragment is wrong. */
  id: string;
  sigma: bigint;
  S: Point;
}

/**
 * The newcomer's side: checks σ_i·G == S_i for each fragment (naming the approver), sums them
 * and checks s_n·G == Y(x_n). Returns the signing share and the verifying share.
 */
export function combineFragments(
  fragments: OpenedFragment[],
  expected: Point,
): { signingShare: bigint; verifyingShare: Point } {
  const bad = fragments.filter((f) => !Point.BASE.multiply(f.sigma).equals(f.S)).map((f) => f.id);
  if (bad.length)
    throw new SssError('the decrypted fragment does not match its public commitment S_i', {
      code: 'inconsistent',
      culprits: bad,
    });
  let s = 0n;
  for (const f of fragments) s = Fn.add(s, f.sigma);
  if (s === 0n) throw new SssError('the fragments sum to zero', { code: 'inconsistent' });
  const Y = Point.BASE.multiply(s);
  if (!Y.equals(expected))
    throw new SssError('the fragments do not sum to f(x_n): the share does not match the group commitment', {
      code: 'inconsistent',
    });
  return { signingShare: s, verifyingShare: Y };
}
