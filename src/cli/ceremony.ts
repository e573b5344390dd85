/**
 * The public commands every participant and maintainer runs: status (the round table), verify
 * (the full audit) and publish (public_info/). Options only: each loads src/cli/ceremony-run.ts
 * (status through src/cli/status-run.ts).
 */
import { Command } from 'commander';
import { makeContext, submitOption, withGlobals } from './context.js';

export function register(p: Command): void {
  withGlobals(
    p
      .command('status')
      .description('the round table: who has done what, and what is awaited from whom')
      .option('--ceremony <id>', 'one ceremony (default: all)'),
  ).action(async (opts) => (await import('./status-run.js')).statusCommand(makeContext(opts), opts));

  withGlobals(
    p
      .command('verify')
      .description('the full public audit of a ceremony: exit 0 only when its transcript is valid')
      .requiredOption('--ceremony <id>', 'the ceremony to audit')
      .option('--require-complete', 'also fail unless the ceremony is complete')
      .option(
        '--github',
        "also check, through the GitHub API (GITHUB_API_URL honoured), that every identity's signing key is an SSH signing key of its declared login",
      ),
  ).action(async (opts) => (await import('./ceremony-run.js')).verifyCommand(makeContext(opts), opts));

  submitOption(
    withGlobals(
      p
        .command('publish')
        .description(
          'write public_info/ (public_key.txt, peers_list.txt, group.json) from a complete, verified ceremony',
        )
        .requiredOption('--ceremony <id>', 'a complete ceremony of the group')
        .option('--check', 'write nothing; fail if public_info/ differs from the transcript'),
    ),
  ).action(async (opts) => (await import('./ceremony-run.js')).publishCommand(makeContext(opts), opts));
}
