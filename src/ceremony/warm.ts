/**
 * Parallel decoding of a repository's commitment points before a synchronous audit (the CLI's
 * commands and the Action both call it; decoding is the floor of a large ceremony's audit).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { commitmentHexes, predecodePoints } from '../crypto/decode-pool.js';
import { listCeremonies, readArtifactFile } from './tree.js';

/** Decodes the round-1 commitments of every ceremony (or one) under ceremoniesDir. */
export async function warmCeremonies(ceremoniesDir: string, only?: string): Promise<void> {
  const values: unknown[] = [];
  for (const id of only ? [only] : listCeremonies(ceremoniesDir)) {
    const dir = join(ceremoniesDir, id, 'round1');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) {
      if (!f.endsWith('.json')) continue;
      try {
        values.push(readArtifactFile(join(dir, f)).value);
      } catch {
        // The audit reports unreadable files with their names.
      }
    }
  }
  await predecodePoints(commitmentHexes(values));
}

/** Decodes the commitments of raw round-1 values already read. */
export async function warmValues(values: Iterable<unknown>): Promise<void> {
  await predecodePoints(commitmentHexes(values));
}
