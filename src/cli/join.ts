/**
 * The join ceremony's commands (docs/protocol.md §7; docs/joining.md): the newcomer's join-request and finalize-join,
 * an approver's approve-participant. Options only: each command loads its body
 * (src/cli/join-run.ts) when it runs.
 */
import { Command } from 'commander';
import { makeContext, submitOption, withGlobals } from './context.js';

export function register(p: Command): void {
  submitOption(
    withGlobals(
      p
        .command('join-request')
        .description(
          'newcomer: ask to join the group; names the approvers (at least the threshold) and a fresh key for this join',
        )
        .requiredOption('--approvers <monikers>', 'the existing holders who will approve, comma-separated (at least M)')
        .option('--ceremony <id>', 'the join ceremony id (default: join-<your moniker>)')
        .option('--group <path>', 'a group.json to join; it must be the group state the transcript yields'),
    ),
  ).action(async (opts) => (await import('./join-run.js')).joinRequestCommand(makeContext(opts), opts));

  submitOption(
    withGlobals(
      p
        .command('approve-participant')
        .description('approver: check a join request and send the newcomer your masked fragment, encrypted to them')
        .requiredOption('--request <path>', "the ceremony's request.json")
        .option('--share <path>', 'your share file (default: trustserver_share.json.age in your home)'),
    ),
  ).action(async (opts) => (await import('./join-run.js')).approveCommand(makeContext(opts), opts));

  submitOption(
    withGlobals(
      p
        .command('finalize-join')
        .description(
          'newcomer: check every approval, decrypt and sum your fragments, save your share, publish your verifying share',
        )
        .requiredOption('--approvals <paths...>', 'the approvals folder, or every approval file')
        .option('--replace-share', 'replace an existing share file (the old one is kept as a backup)'),
    ),
  ).action(async (opts) => (await import('./join-run.js')).finalizeJoinCommand(makeContext(opts), opts));
}
