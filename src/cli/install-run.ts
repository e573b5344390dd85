/** What `sss-tool install` does (options: src/cli/install.ts; docs/trust-server.md). */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SssError } from '../errors.js';
import { readShareFile } from '../local/share.js';
import { KEY_FILE_ENV, serverPaths } from '../server/install-files.js';
import { installServerShare, Protection } from '../server/install.js';
import { Context } from './context.js';

export interface InstallOptions {
  to: string;
  recipient?: string;
  newKey?: string;
  plaintext?: boolean;
  group?: string;
  replace?: boolean;
}

export async function installCommand(ctx: Context, opts: InstallOptions): Promise<void> {
  const chosen = [opts.recipient, opts.newKey, opts.plaintext].filter((x) => x !== undefined);
  if (chosen.length !== 1)
    throw new SssError('choose how the share is protected: exactly one of --recipient, --new-key or --plaintext', {
      code: 'usage',
    });
  const protection: Protection = opts.recipient
    ? { recipient: opts.recipient }
    : opts.newKey
      ? { newKeyFile: resolve(opts.newKey) }
      : { plaintext: true };
  const groupFile = resolve(opts.group ?? resolve(ctx.publicInfoDir, 'group.json'));
  if (!existsSync(groupFile))
    throw new SssError('no group.json: pass --group public_info/group.json', { code: 'io', file: groupFile });
  if (!existsSync(ctx.paths.share))
    throw new SssError(`no share file in ${ctx.paths.home}: only a holder can install one`, {
      code: 'private',
      file: ctx.paths.share,
    });
  const share = await readShareFile(ctx.paths.share, await ctx.passphrase());
  const paths = serverPaths(resolve(opts.to));
  const r = await installServerShare({
    share,
    groupText: readFileSync(groupFile, 'utf8'),
    groupFile,
    paths,
    protection,
    replace: Boolean(opts.replace),
  });
  ctx.result({ dir: paths.dir, ...r });
  ctx.say(
    `Installed ${r.moniker}'s share for trust-server in ${paths.dir} (group ${r.groupKey}, ${r.holders} holders).`,
  );
  if (r.protection === 'none')
    ctx.say('The share is stored in plaintext (mode 0600), as asked: anyone who can read that directory can sign.');
  else
    ctx.say(
      `The share is encrypted to ${r.recipient}. The server needs the key: ${KEY_FILE_ENV}=<file> (or SSS_TOOL_SERVER_KEY=AGE-SECRET-KEY-1…).`,
    );
  if (r.keyFile)
    ctx.say(
      `New server key written to ${r.keyFile} (mode 0600): move it to the server's secret store, not next to the install.`,
    );
  ctx.say(`The server finds the install with SSS_TOOL_HOME=${paths.dir}, or by running in that directory.`);
}
