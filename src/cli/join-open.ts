/**
 * `sss-tool join-open`: a maintainer opens a join ceremony by writing its manifest, so that the
 * newcomer's own pull request adds only `request.json`. Options only: the body
 * (src/cli/join-open-run.ts) loads when the command runs, so `sss-tool` starts fast.
 */
import { Command } from 'commander';
import { makeContext, withGlobals } from './context.js';

export function register(p: Command): void {
  withGlobals(
    p
      .command('join-open')
      .description(
        'maintainer: open a join ceremony (writes its ceremony.json for the group as the transcript has it); the newcomer then runs join-request --ceremony <id>',
      )
      .requiredOption('--ceremony <id>', 'the join ceremony id, e.g. join-frank')
      .requiredOption(
        '--github <login>',
        "the newcomer's GitHub account: only a request declaring it (with a signing key registered on it) is accepted",
      ),
  ).action(async (opts) => (await import('./join-open-run.js')).joinOpenCommand(makeContext(opts), opts));
}
