/**
 * A decode worker (started by decode-pool.ts, which describes the scheme): claims tasks from the
 * end of the shared list, decodes their points with the same decodePoint, and writes the affine
 * coordinates; checks a dealer's proof of knowledge, or the points' prime order, where asked.
 * Anything refused is left unmarked: the main thread decodes it again to report it.
 */
import { workerData } from 'node:worker_threads';
import { CLAIMED, DONE, FREE, SharedJob, pointOffsets, putCoordinate } from './decode-pool.js';
import { proofHolds } from './dkg.js';
import { Point, decodeIdentifier, decodePoint, isPrimeOrder } from './suite.js';

function runTask(job: SharedJob, j: number, first: number): void {
  const task = job.tasks[j];
  const decoded: (Point | undefined)[] = task.points.map((h, i) => {
    try {
      const p = decodePoint(h, 'point');
      const { x, y } = p.toAffine();
      putCoordinate(job.coords, 8 * (first + i), x);
      putCoordinate(job.coords, 8 * (first + i) + 4, y);
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
