/**
 * `sss-tool doctor`: is this home ready for a ceremony whose identities are bound to GitHub
 * accounts? Options only: the body (src/cli/doctor-run.ts) loads when the command runs, so
 * `sss-tool` starts fast.
 */
import { Command } from 'commander';
import { makeContext, withGlobals } from './context.js';

export function register(p: Command): void {
  withGlobals(
    p
      .command('doctor')
      .description(
        'is your signing key registered on your GitHub account as an SSH signing key? (the Action requires it)',
      ),
  ).action(async (opts) => (await import('./doctor-run.js')).doctorCommand(makeContext(opts)));
}
