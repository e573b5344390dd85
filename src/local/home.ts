/**
 * The participant's home directory: where identity keys, round state, shares and nonces live,
 * every private file age-encrypted with mode 0600.
 */
import { homedir, platform } from 'node:os';
import { join, resolve } from 'node:path';

/** --home, else $SSS_TOOL_HOME, else the platform's config directory. */
export function resolveHome(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return resolve(explicit);
  if (env.SSS_TOOL_HOME) return resolve(env.SSS_TOOL_HOME);
  if (platform() === 'darwin') return join(homedir(), 'Library', 'Application Support', 'sss-tool');
  if (platform() === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'sss-tool');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'sss-tool');
}

/** Where each file of a home directory lives. */
export function homePaths(home: string) {
  return {
    home,
    identityPublic: join(home, 'identity.json'),
    identitySecret: join(home, 'identity.age'),
    publicKey: join(home, 'trustserver_public_key.pub'),
    /** The artifact signing key in OpenSSH format, to register on GitHub as an SSH signing key. */
    sshSigningKey: join(home, 'github_signing_key.pub'),
    share: join(home, 'trustserver_share.json.age'),
    dkgState: (ceremony: string) => join(home, 'state', ceremony, 'dkg.age'),
    joinState: (ceremony: string) => join(home, 'state', ceremony, 'join.age'),
    nonce: (session: string) => join(home, 'nonces', `${session}.age`),
    nonceUsed: (session: string) => join(home, 'nonces', `${session}.used`),
  };
}
export type HomePaths = ReturnType<typeof homePaths>;
