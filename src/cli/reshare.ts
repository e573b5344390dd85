/**
 * The reshare ceremony's commands (docs/resharing.md): a maintainer's reshare-request (the
 * proposal), a dealer's reshare-deal, a new holder's reshare-finalize. Options only: each command
 * loads its body (src/cli/reshare-run.ts) when it runs, so `sss-tool` starts fast.
 */
import { Command } from 'commander';
import { makeContext, submitOption, withGlobals } from './context.js';

export function register(p: Command): void {
  submitOption(
    withGlobals(
      p
        .command('reshare-request')
        .description(
          "maintainer: propose a reshare: the new holder set (today's holders kept, newcomers added), the new threshold, the dealers",
        )
        .option('--ceremony <id>', 'the reshare ceremony id (default: reshare-<new epoch>)')
        .option('--remove <monikers>', 'holders who leave, comma-separated (the others stay)')
        .option('--keep <monikers>', 'instead of --remove: exactly the holders who stay')
        .option('--newcomer <identity.json...>', "a newcomer's public identity file (from their `sss-tool initialize`)")
        .option('--threshold <M>', "the new threshold (default: today's)")
        .option(
          '--dealers <monikers>',
          "today's holders who will deal, at least the current threshold (default: every holder)",
        ),
    ),
  ).action(async (opts) => (await import('./reshare-run.js')).requestCommand(makeContext(opts), opts));

  submitOption(
    withGlobals(
      p
        .command('reshare-deal')
        .description('dealer: share your share afresh for the new holders, encrypted to each; the commitment is public')
        .requiredOption('--ceremony <id>', 'the reshare ceremony')
        .option(
          '--share <path>',
          'your share file of the current epoch (default: trustserver_share.json.age in your home)',
        ),
    ),
  ).action(async (opts) => (await import('./reshare-run.js')).dealCommand(makeContext(opts), opts));

  submitOption(
    withGlobals(
      p
        .command('reshare-finalize')
        .description(
          'new holder: check every dealing sent to you, combine the qualified ones, save your new share, publish your verifying share',
        )
        .requiredOption('--ceremony <id>', 'the reshare ceremony')
        .option(
          '--replace-share',
          'replace a share file of another group (a share of this group is always kept as a backup)',
        ),
    ),
  ).action(async (opts) => (await import('./reshare-run.js')).finalizeCommand(makeContext(opts), opts));
}
