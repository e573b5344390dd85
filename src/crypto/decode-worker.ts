/**
 * A decode worker (started by decode-pool.ts, which describes the scheme): claims tasks from the
 * end of the shared list, decodes their points with the same decodePoint, and writes the affine
 * coordinates; checks a dealer's proof of knowledge, or the points' prime order, where asked.
 * Anything refused is left unmarked: the main thread decodes it again to report it.
 */
import { workerData } from 'node:worker_threads';
import { CLAIMED, DONE, FREE, SharedJob, pointOffsets } from './decode-pool.js';
import { proofHolds } from './dkg.js';
import { Point, decodeIdentifier, decodePoint, isPrimeOrder } from './suite.js';

function writeLittleEndian(out: Uint8Array, at: number, n: bigint): void {
  for (let i = 0; i < 32; i++) {
    out[at + i] = Number(n & 0xffn);
    n >>= 8n;
  }
}

function runTask(job: SharedJob, j: number, first: number): void {
  const task = job.tasks[j];
  const decoded: (Point | undefined)[] = task.points.map((h, i) => {
    try {
      const p = decodePoint(h, 'point');
      const { x, y } = p.toAffine();
      writeLittleEndian(job.coords, 64 * (first + i), x);
      writeLittleEndian(job.coords, 64 * (first + i) + 32, y);
      job.status[first + i] = task.primeOrder && isPrimeOrder(p) ? 2 : 1;
      return p;
    } catch {
      return undefined;
    }
  });
  if (task.proof && decoded[0]) {
    try {
      const id = decodeIdentifier(task.proof.identifier, 'identifier');
      if (proofHolds(id, decoded[0], task.proof.proofOfKnowledge)) job.proofs[j] = 1;
    } catch {
      // Not verified here: the audit checks it again and names the dealer.
    }
  }
}

const job = workerData as SharedJob;
const offsets = pointOffsets(job.tasks);
for (let j = job.tasks.length - 1; j >= 0; j--) {
  if (Atomics.compareExchange(job.state, j, FREE, CLAIMED) !== FREE) continue;
  try {
    runTask(job, j, offsets[j]);
  } finally {
    Atomics.store(job.state, j, DONE);
    Atomics.notify(job.state, j);
  }
}
