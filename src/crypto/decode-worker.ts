/**
 * Worker side of the parallel point decoder: decodes (and validates) each encoding with the same
 * decodePoint as the main thread and returns affine coordinates, or null where decoding fails
 * (the main thread then decodes that one itself, to raise the proper error).
 */
import { parentPort } from 'node:worker_threads';
import { decodePoint } from './suite.js';

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
