/**
 * What `sss-tool doctor` does (options: src/cli/doctor.ts). It writes the signing key in OpenSSH
 * format if the home lacks it (homes made before the binding existed) and asks the GitHub API
 * whether the declared login has it as an SSH signing key: exit 0 when it is registered, 1 (with
 * the one command to run) when not. `initialize` shares the first step and the advice.
 */
import { existsSync } from 'node:fs';
import { SssError } from '../errors.js';
import { HomePaths } from '../local/home.js';
import { loadPublicIdentity, PublicIdentity } from '../local/identity.js';
import { PUBLIC_MODE, writeNewFile } from '../local/fsutil.js';
import { client } from '../github/api.js';
import { registerCommand, sshPublicKeyLine, sshSigningKeys } from '../github/ssh-signing-keys.js';
import { Context } from './context.js';

/** Writes <home>/github_signing_key.pub (the public signing key, OpenSSH format) if absent; returns its path. */
export function writeSshSigningKey(paths: HomePaths, id: PublicIdentity): string {
  if (!existsSync(paths.sshSigningKey))
    writeNewFile(paths.sshSigningKey, sshPublicKeyLine(id.signingKey, `sss-tool:${id.moniker}`) + '\n', PUBLIC_MODE);
  return paths.sshSigningKey;
}

export function sayRegister(ctx: Context, id: PublicIdentity, pub: string): void {
  const who = id.github ? `@${id.github}` : 'your GitHub account';
  ctx.say(
    `Register it on ${who} as an SSH signing key (it binds your artifacts to your account; it grants no access):`,
  );
  ctx.say(`  ${registerCommand(pub, `sss-tool ${id.moniker}`)}`);
  ctx.say(
    '  (or github.com → Settings → SSH and GPG keys → New SSH key, key type "Signing Key"). Check with: sss-tool doctor',
  );
}

/** Checks that the declared GitHub login has this identity's signing key as an SSH signing key. */
export async function doctorCommand(ctx: Context): Promise<void> {
  const id = loadPublicIdentity(ctx.paths);
  const pub = writeSshSigningKey(ctx.paths, id);
  ctx.say(`${id.moniker}: signing key ${id.signingKey}`);
  ctx.say(`  OpenSSH form    ${pub}`);
  if (!id.github) {
    ctx.result({ moniker: id.moniker, github: null, registered: false });
    throw new SssError(
      'your identity declares no GitHub login, so no account can vouch for it: ceremonies that bind identities (the default) refuse it; make a new identity with --github <login>',
      { code: 'not-allowed', field: 'github' },
    );
  }
  const token = process.env.GITHUB_TOKEN || process.env.GH_TOKEN || '';
  const keys = await sshSigningKeys(id.github, client(token));
  const registered = keys.has(id.signingKey);
  ctx.result({ moniker: id.moniker, github: id.github, registered, sshSigningKey: pub });
  if (!registered) {
    sayRegister(ctx, id, pub);
    throw new SssError(
      `not registered: @${id.github} has ${keys.size} Ed25519 SSH signing key${keys.size === 1 ? '' : 's'} on GitHub, none of them this identity's signing key`,
      { code: 'not-allowed', field: 'github' },
    );
  }
  ctx.say(`  registered on @${id.github} as an SSH signing key ✓`);
}
