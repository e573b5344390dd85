/**
 * `sss-tool install`: the holder's share, installed for trust-server (docs/trust-server.md).
 * Options only: the body (src/cli/install-run.ts) loads when the command runs.
 */
import { Command } from 'commander';
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
  ).action(async (opts) => (await import('./install-run.js')).installCommand(makeContext(opts), opts));
}
