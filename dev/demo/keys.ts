/**
 * The demo's participants register their signing keys on the local GitHub stand-in as GitHub
 * users would (`gh ssh-key add --type signing`: POST /user/ssh_signing_keys with their own token),
 * then `sss-tool doctor` confirms it: the Action admits only identities registered this way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { client } from '../../src/github/api.js';

interface Registrant {
  moniker: string;
  home: string;
}

export async function registerSigningKeys<P extends Registrant>(
  apiUrl: string,
  people: P[],
  doctor: (p: P) => Promise<string>,
): Promise<void> {
  for (const p of people) {
    const key = readFileSync(join(p.home, 'github_signing_key.pub'), 'utf8').trim();
    await client(`demo-token-of-${p.moniker}`, apiUrl).rest.users.createSshSigningKeyForAuthenticatedUser({
      key,
      title: `sss-tool ${p.moniker}`,
    });
    await doctor(p);
  }
}
