/** public_info/: the files a group's users read, generated from the verified transcript. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toFileText } from '../artifacts/canonical.js';
import { GroupPackage } from './report.js';

export const PUBLIC_FILES = ['public_key.txt', 'peers_list.txt', 'group.json'] as const;

/** The exact contents of each public_info file for a group. */
export function publicInfoFiles(group: GroupPackage): Record<(typeof PUBLIC_FILES)[number], string> {
  // What trust-server's client reads: its cosigners' URLs, one a line. Who is behind each URL
  // (moniker → endpoint) stays in group.json; a holder without an endpoint runs no cosigner.
  const peers = [...group.participants]
    .sort((a, b) => (a.moniker < b.moniker ? -1 : a.moniker > b.moniker ? 1 : 0))
    .filter((p) => p.endpoint)
    .map((p) => `${p.endpoint}\n`)
    .join('');
  return {
    'public_key.txt': group.publicKey + '\n',
    'peers_list.txt': peers,
    'group.json': toFileText(group),
  };
}

/** Which public_info files differ from what the group yields (missing counts as differing). */
export function stalePublicFiles(dir: string, group: GroupPackage): (typeof PUBLIC_FILES)[number][] {
  const want = publicInfoFiles(group);
  return PUBLIC_FILES.filter((f) => !existsSync(join(dir, f)) || readFileSync(join(dir, f), 'utf8') !== want[f]);
}
