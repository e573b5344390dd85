/** Turning the paths people pass (a folder, or a list of files) into artifact files. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { SssError } from '../errors.js';

/** Expands folders to their *.json files; files stay as given. Sorted, absolute, de-duplicated. */
export function expandArtifactPaths(inputs: string[]): string[] {
  const out = new Set<string>();
  for (const raw of inputs.flatMap((s) => s.split(',')).filter(Boolean)) {
    const p = resolve(raw);
    if (!existsSync(p)) throw new SssError('no such file or folder', { code: 'io', file: raw });
    if (statSync(p).isDirectory()) {
      for (const f of readdirSync(p).sort()) if (f.endsWith('.json')) out.add(join(p, f));
    } else out.add(p);
  }
  if (!out.size) throw new SssError('no artifact files given', { code: 'io', file: inputs.join(',') });
  return [...out].sort();
}

export function shown(root: string, p: string): string {
  const r = relative(root, p);
  return r && !r.startsWith('..') ? r : p;
}
