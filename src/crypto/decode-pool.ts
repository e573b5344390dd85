/**
 * Decoding the N·M commitment points (a square root each) is the floor of a large ceremony's
 * checks. A decode job spreads it over every core while the caller's (synchronous) thread does
 * the checks that need no point (schemas, canonical JSON, signatures), then joins in:
 *
 * - tasks (a dealer's commitment with its proof of knowledge, or a list of points) sit in shared
 *   memory; each is claimed once with a compare-and-swap, worker threads from the end of the list,
 *   the main thread from the start when it joins (so the work balances itself, loaded or not);
 * - a worker decodes with the same decodePoint and writes affine coordinates, and verifies a
 *   dealer's proof of knowledge or a point's prime order where the task asks for it;
 * - the main thread caches the results (checked once, by the worker's decodePoint) and remembers the
 *   verified proofs and prime-order points, so the audit that follows finds them done. What a
 *   worker refused is left undone: the audit decodes it again and reports it with file and field.
 *
 * A worker that never starts (no worker file beside a bundle, a single core, a small input) just
 * leaves every task to the main thread.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  cacheDecodedPoint,
  decodeIdentifier,
  decodePoint,
  isPointCached,
  isPrimeOrder,
  markPrimeOrder,
} from './suite.js';
import { markProofVerified, proofHolds } from './dkg.js';

/** Points to decode; `proof` asks for the dealer's proof of knowledge too (points[0] is C_0). */
export interface DecodeTask {
  points: string[];
  proof?: { identifier: string; proofOfKnowledge: string };
  /** Also check that every point lies in the prime-order subgroup. */
  primeOrder?: boolean;
}

/** What the threads share: task states (0 free, 1 claimed, 2 done), per-point results, coordinates. */
export interface SharedJob {
  tasks: DecodeTask[];
  state: Int32Array;
  /** Per point: 0 not decoded or refused, 1 decoded, 2 decoded and of prime order. */
  status: Uint8Array;
  /** Per task: 1 when its proof of knowledge verified. */
  proofs: Uint8Array;
  /** x then y, four 64-bit limbs each (least significant first), per point: coordinateAt. */
  coords: BigUint64Array;
}

export const FREE = 0;
export const CLAIMED = 1;
export const DONE = 2;

/** Index of each task's first point in the flat per-point arrays. */
export function pointOffsets(tasks: DecodeTask[]): number[] {
  const out: number[] = [];
  let n = 0;
  for (const t of tasks) {
    out.push(n);
    n += t.points.length;
  }
  out.push(n);
  return out;
}

const MIN_POINTS = 4096;
const HEX32 = /^[0-9a-f]{64}$/;
/** Built at run time so that a bundler does not rewrite it into an asset of its own. */
const WORKER_FILE = ['decode-worker', 'js'].join('.');

/**
 * The worker script, only ever the one beside this module: lib/crypto/decode-worker.js, or
 * lib/bundle/decode-worker.js in the CLI's bundle (scripts/bundle-cli.js). Never a file found by
 * searching further: a parent directory may be a checkout someone else writes to (a workflow that
 * runs the Action from inside its workspace), and a worker runs with this process's rights. The
 * Action's committed bundle has none beside it, so it decodes on one thread.
 */
function workerPath(): string | undefined {
  try {
    const beside = join(dirname(fileURLToPath(import.meta.url)), WORKER_FILE);
    return existsSync(beside) ? beside : undefined;
  } catch {
    return undefined;
  }
}

export interface DecodeJob {
  /** Decodes every task not yet taken on this thread, waits for the workers, caches their results. */
  finish(): void;
}

/** Starts decoding `tasks` on other cores (when they pay) and returns at once. */
export function startDecoding(tasks: DecodeTask[], threads = availableParallelism()): DecodeJob {
  const clean = tasks
    .map((t) => ({ ...t, points: t.points.filter((h) => typeof h === 'string' && HEX32.test(h)) }))
    .filter((t) => t.points.length > 0);
  const offsets = pointOffsets(clean);
  const total = offsets[offsets.length - 1];
  const workers = Math.min(threads - 1, 3);
  const path = total >= MIN_POINTS && workers >= 1 ? workerPath() : undefined;
  if (!path) return { finish: () => clean.forEach((t) => decodeHere(t)) };
  const job: SharedJob = {
    tasks: clean,
    state: new Int32Array(new SharedArrayBuffer(4 * clean.length)),
    status: new Uint8Array(new SharedArrayBuffer(total)),
    proofs: new Uint8Array(new SharedArrayBuffer(clean.length)),
    coords: new BigUint64Array(new SharedArrayBuffer(64 * total)),
  };
  for (let w = 0; w < workers; w++) {
    const worker = new Worker(path, { workerData: job });
    // A worker that fails to load claims nothing; one that dies mid-task is waited out below.
    worker.on('error', () => {});
    worker.unref();
  }
  return { finish: () => finishJob(job, offsets) };
}

/**
 * A task on this thread, done as a worker does it: decodePoint caches what is valid, a proof that
 * holds and a point of prime order are remembered. Whatever fails is left for the audit to report
 * with its file and field.
 */
function decodeHere(task: DecodeTask): void {
  const points = task.points.map((h) => {
    try {
      const p = decodePoint(h, 'point');
      if (task.primeOrder) isPrimeOrder(p);
      return p;
    } catch {
      return undefined;
    }
  });
  if (!task.proof || !points[0]) return;
  const { identifier, proofOfKnowledge } = task.proof;
  try {
    if (proofHolds(decodeIdentifier(identifier, 'identifier'), points[0], proofOfKnowledge))
      markProofVerified(identifier, task.points[0], proofOfKnowledge);
  } catch {
    // Not verified here: the audit checks it again and names the dealer.
  }
}

/** How long a task a worker claimed may take before this thread does it itself (a worker died). */
const CLAIM_TIMEOUT_MS = 20_000;

function finishJob(job: SharedJob, offsets: number[]): void {
  const { tasks, state } = job;
  for (let j = 0; j < tasks.length; j++)
    if (Atomics.compareExchange(state, j, FREE, CLAIMED) === FREE) {
      decodeHere(tasks[j]);
      Atomics.store(state, j, DONE);
    }
  for (let j = 0; j < tasks.length; j++) {
    if (Atomics.load(state, j) !== DONE && Atomics.wait(state, j, CLAIMED, CLAIM_TIMEOUT_MS) === 'timed-out') {
      decodeHere(tasks[j]);
      continue;
    }
    if (Atomics.load(state, j) === DONE) adoptTask(job, j, offsets[j]);
    else decodeHere(tasks[j]);
  }
}

/** Caches what a worker decoded for task j; a task this thread did itself has no coordinates. */
function adoptTask(job: SharedJob, j: number, first: number): void {
  const task = job.tasks[j];
  task.points.forEach((h, i) => {
    const s = job.status[first + i];
    if (s === 0 || isPointCached(h)) return;
    const at = 8 * (first + i);
    cacheDecodedPoint(h, coordinateAt(job.coords, at), coordinateAt(job.coords, at + 4));
    if (s === 2) markPrimeOrder(h);
  });
  if (job.proofs[j] === 1 && task.proof)
    markProofVerified(task.proof.identifier, task.points[0], task.proof.proofOfKnowledge);
}

/**
 * A coordinate (below 2^255) as four 64-bit limbs at `at`: the worker writes, this thread reads.
 * Four limb operations where a byte at a time took 32 BigInt shifts, twice per point.
 */
export function putCoordinate(coords: BigUint64Array, at: number, n: bigint): void {
  for (let i = 0; i < 4; i++, n >>= 64n) coords[at + i] = BigInt.asUintN(64, n);
}

function coordinateAt(coords: BigUint64Array, at: number): bigint {
  return coords[at] | (coords[at + 1] << 64n) | (coords[at + 2] << 128n) | (coords[at + 3] << 192n);
}

/** Decodes every not-yet-cached encoding in `hexes`, in parallel where that pays. */
export async function predecodePoints(hexes: Iterable<string>, threads = availableParallelism()): Promise<void> {
  const todo = [...new Set(hexes)].filter((h) => typeof h === 'string' && !isPointCached(h));
  if (todo.length < MIN_POINTS || threads < 2) return;
  const tasks: DecodeTask[] = [];
  for (let i = 0; i < todo.length; i += 256) tasks.push({ points: todo.slice(i, i + 256) });
  startDecoding(tasks, threads).finish();
}

/** Every commitment encoding in a set of raw artifact values (round-1 artifacts, dealings). */
export function commitmentHexes(values: Iterable<unknown>): string[] {
  const out: string[] = [];
  for (const v of values) {
    const c = (v as { commitment?: unknown })?.commitment;
    if (Array.isArray(c)) for (const h of c) if (typeof h === 'string') out.push(h);
  }
  return out;
}
