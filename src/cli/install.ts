/** `sss-tool install`: the holder's share, installed for trust-server (docs/trust-server.md). */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { SssError } from '../errors.js';
import { readShareFile } from '../local/share.js';
import { KEY_FILE_ENV, serverPaths } from '../server/install-files.js';
import { installServerShare, Protection } from '../server/install.js';
import { makeContext, withGlobals } from './context.js';

export function register(p: Command): void {
  // The spawned commands live outside this program (bin/sss-tool.js sends them to src/server/cli.ts).
  p.addHelpText(
    'after',
    '\nThe calls trust-server spawns, once a share is installed: sss-tool info | get-nonce | sign (sss-tool sign --help; docs/trust-server.md)',
  );
  withGlobals(
    p
      .command('install')
      .description(
        'install your share for trust-server: re-encrypted to an age X25519 key the server holds, so its spawned info/get-nonce/sign need no passphrase',
      )
      .requiredOption(
        '--to <dir>',
        "the server's directory (its working directory, or what SSS_TOOL_HOME names for it)",
      )
      .option(
        '--recipient <age1…>',
        "encrypt to this age X25519 recipient (the server key's public half, e.g. from age-keygen)",
      )
      .option('--new-key <file>', 'make a new server key, write it to this file (mode 0600) and encrypt to it')
      .option('--plaintext', 'store the share unencrypted (mode 0600): only if the directory is itself a secret store')
      .option('--group <file>', "the group's holders (default: public_info/group.json in --repo)")
      .option('--replace', 'overwrite an existing install'),
  ).action(async (opts) => {
    const ctx = makeContext(opts);
    const chosen = [opts.recipient, opts.newKey, opts.plaintext].filter((x) => x !== undefined);
    if (chosen.length !== 1)
      throw new SssError('choose how the share is protected: exactly one of --recipient, --new-key or --plaintext');
    const protection: Protection = opts.recipient
      ? { recipient: opts.recipient }
      : opts.newKey
        ? { newKeyFile: resolve(opts.newKey) }
        : { plaintext: true };
    const groupFile = resolve(opts.group ?? resolve(ctx.publicInfoDir, 'group.json'));
    if (!existsSync(groupFile))
      throw new SssError('no group.json: pass --group public_info/group.json', { file: groupFile });
    if (!existsSync(ctx.paths.share))
      throw new SssError(`no share file in ${ctx.paths.home}: only a holder can install one`, {
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
  });
}
