/**
 * Parallel decoding of a repository's reshare dealings before a synchronous audit (the CLI's
 * commands call it; decoding is the floor of a large ceremony's audit). A genesis audit needs no
 * warm-up: auditDkg decodes on every core itself, overlapped with its other checks.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { commitmentHexes, predecodePoints } from '../crypto/decode-pool.js';
import { listCeremonies, readArtifactFile } from './tree.js';

/** Decodes the dealing commitments of every ceremony (or one) under ceremoniesDir. */
export async function warmCeremonies(ceremoniesDir: string, only?: string): Promise<void> {
  const values: unknown[] = [];
  // A reshare's dealing commitments: the points its audit decodes.
  const dirs = (only ? [only] : listCeremonies(ceremoniesDir)).map((id) => join(ceremoniesDir, id, 'dealings'));
  for (const dir of dirs) {
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
