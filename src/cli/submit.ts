/**
 * How a step's artifacts reach the repository. Without --submit: the exact git commands to run.
 * With --submit: a branch, a commit of exactly this participant's new files, a push, and a PR.
 */
import { Command } from 'commander';
import { relative } from 'node:path';
import { Context } from './context.js';

export interface SubmitOptions {
  submit?: boolean;
  remote?: string;
  base?: string;
}

export interface StepFiles {
  ceremony: string;
  step: string;
  moniker: string;
  /** Absolute paths of the files the step wrote. */
  files: string[];
}

export function submitOption(cmd: Command): Command {
  return cmd
    .option('--submit', 'commit the new files on a branch, push it and open a pull request')
    .option('--remote <name>', 'the git remote to push to', 'origin')
    .option('--base <branch>', 'the branch the pull request targets (default: the remote\'s default branch)');
}

export function branchName(s: StepFiles): string {
  return `ceremony/${s.ceremony}/${s.step}/${s.moniker}`;
}

export function commitMessage(s: StepFiles): string {
  return `${s.ceremony}: ${s.step} from ${s.moniker}`;
}

/** Prints the git commands that publish a step (or submits it, with --submit). */
export async function nextSteps(ctx: Context, opts: SubmitOptions, s: StepFiles): Promise<void> {
  const files = s.files.map((f) => relative(ctx.repo, f));
  const remote = opts.remote ?? 'origin';
  ctx.say('');
  ctx.say('Publish it as a pull request:');
  ctx.say(`  git -C ${ctx.repo} switch -c ${branchName(s)}`);
  ctx.say(`  git -C ${ctx.repo} add ${files.join(' ')}`);
  ctx.say(`  git -C ${ctx.repo} commit -m "${commitMessage(s)}"`);
  ctx.say(`  git -C ${ctx.repo} push ${remote} ${branchName(s)}`);
  ctx.say('  then open a pull request from that branch (or re-run this command with --submit).');
}
