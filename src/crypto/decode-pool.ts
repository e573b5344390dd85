/**
 * Decoding the N·M commitment points (a square root each) is the floor of a large ceremony's
 * checks. With more than one core, decode them in parallel before the (synchronous) audit runs:
 * worker threads decode and validate, the main thread caches the results. Small inputs, or a
 * single core, decode lazily as before.
 */
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { cacheDecodedPoint, decodePoint, isPointCached } from './suite.js';

/**
 * The worker runs this same module (or, in the Action's bundle, the same bundle: its entry starts
 * only on the main thread), so there is no second file to ship. It decodes with the same
 * decodePoint and returns affine coordinates, or null where decoding fails (the main thread then
 * decodes that one itself, to raise the proper error).
 */
const WORKER_FLAG = 'sss-tool decode worker';
if (!isMainThread && workerData === WORKER_FLAG) {
  parentPort?.on('message', (hexes: string[]) => {
    const out: ([bigint, bigint] | null)[] = hexes.map((h) => {
      try {
        const { x, y } = decodePoint(h, 'point').toAffine();
        return [x, y];
      } catch {
        return null;
      }
    });
    parentPort!.postMessage(out);
  });
}

const MIN_POINTS = 4096;

/** Decodes every not-yet-cached encoding in `hexes`, in parallel where that pays. */
export async function predecodePoints(hexes: Iterable<string>, threads = availableParallelism()): Promise<void> {
  const todo = [...new Set(hexes)].filter((h) => typeof h === 'string' && !isPointCached(h));
  const workers = Math.min(threads - 1, 3);
  if (todo.length < MIN_POINTS || workers < 1) return;
  const chunk = Math.ceil(todo.length / (workers + 1));
  const jobs: Promise<void>[] = [];
  for (let w = 0; w < workers; w++) {
    const part = todo.slice(chunk * (w + 1), chunk * (w + 2));
    if (part.length) jobs.push(decodeInWorker(part));
  }
  for (const h of todo.slice(0, chunk)) {
    try {
      decodePoint(h, 'point');
    } catch {
      // Left uncached: the audit decodes it again and reports it with its file and field.
    }
  }
  await Promise.all(jobs);
}

function decodeInWorker(hexes: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: WORKER_FLAG });
    worker.once('message', (coords: ([bigint, bigint] | null)[]) => {
      coords.forEach((c, i) => {
        if (c) cacheDecodedPoint(hexes[i], c[0], c[1]);
      });
      void worker.terminate();
      resolve();
    });
    worker.once('error', reject);
    worker.postMessage(hexes);
  });
}

/** Every commitment encoding in a set of raw round-1 artifact values. */
export function commitmentHexes(values: Iterable<unknown>): string[] {
  const out: string[] = [];
  for (const v of values) {
    const c = (v as { commitment?: unknown })?.commitment;
    if (Array.isArray(c)) for (const h of c) if (typeof h === 'string') out.push(h);
  }
  return out;
}
