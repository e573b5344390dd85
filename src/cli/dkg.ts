/**
 * The genesis ceremony's participant commands: dkg-round1, dkg-round2, dkg-finalize. Options only:
 * each command loads its body (src/cli/dkg-run.ts) when it runs, so `sss-tool` starts fast.
 */
import { Command } from 'commander';
import { SssError } from '../errors.js';
import { makeContext, submitOption, withGlobals } from './context.js';

export function register(p: Command): void {
  submitOption(
    withGlobals(
      p
        .command('dkg-round1')
        .description('genesis round 1: make your secret polynomial and publish its commitment and proof of knowledge')
        .requiredOption('--threshold <t>', 'the threshold M: signers needed', toInt)
        .requiredOption('--participants <n>', 'the number of participants N', toInt)
        .requiredOption('--ceremony <id>', 'the ceremony id (the folder under ceremonies/)')
        .option(
          '--allow <monikers>',
          "for a new ceremony: the only monikers that may take part, comma-separated; write moniker@login to reserve each for that person's GitHub account",
        ),
    ),
  ).action(async (opts) => (await import('./dkg-run.js')).dkgRound1Command(makeContext(opts), opts));

  submitOption(
    withGlobals(
      p
        .command('dkg-round2')
        .description('genesis round 2: check every commitment and send each participant its share, encrypted to them')
        .requiredOption('--commitments <paths...>', 'the round1 folder, or the round-1 files of all participants'),
    ),
  ).action(async (opts) => (await import('./dkg-run.js')).dkgRound2Command(makeContext(opts), opts));

  submitOption(
    withGlobals(
      p
        .command('dkg-finalize')
        .description(
          'genesis round 3: decrypt and check your shares, save your key share, publish your verifying share',
        )
        .requiredOption('--shares <paths...>', 'the round2 folder, or the round-2 files of all participants')
        .option('--replace-share', 'replace an existing share file (the old one is kept as a backup)'),
    ),
  ).action(async (opts) => (await import('./dkg-run.js')).dkgFinalizeCommand(makeContext(opts), opts));
}

function toInt(v: string): number {
  if (!/^-?\d+$/.test(v)) throw new SssError(`expected an integer, got ${JSON.stringify(v)}`, { code: 'malformed' });
  return Number(v);
}
