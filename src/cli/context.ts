/**
 * What every command shares: the global options, the home dir, the repository, the passphrase,
 * and output (human lines on stdout, or one JSON document with --json).
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { resolveHome, homePaths, HomePaths } from '../local/home.js';
import { getPassphrase } from '../local/passphrase.js';

export interface GlobalOptions {
  home?: string;
  repo?: string;
  json?: boolean;
  passphraseFile?: string;
}

export interface Context {
  paths: HomePaths;
  repo: string;
  ceremoniesDir: string;
  publicInfoDir: string;
  json: boolean;
  passphrase(confirm?: boolean): Promise<string>;
  /** A human line (suppressed with --json). */
  say(line?: string): void;
  /** The command's result: printed as JSON with --json. */
  result(value: unknown): void;
}

/** Adds the options every command takes. */
export function withGlobals(cmd: Command): Command {
  return cmd
    .option('--home <dir>', 'home directory (default: $SSS_TOOL_HOME, else the platform config dir)')
    .option('--repo <dir>', 'the ceremony repository checkout', '.')
    .option('--json', 'machine-readable output')
    .option('--passphrase-file <file>', 'read the passphrase from this file');
}

export function makeContext(opts: GlobalOptions): Context {
  const repo = resolve(opts.repo ?? '.');
  const json = Boolean(opts.json);
  let cached: string | undefined;
  return {
    paths: homePaths(resolveHome(opts.home)),
    repo,
    ceremoniesDir: resolve(repo, 'ceremonies'),
    publicInfoDir: resolve(repo, 'public_info'),
    json,
    async passphrase(confirm = false) {
      cached ??= await getPassphrase({ passphraseFile: opts.passphraseFile, confirm });
      return cached;
    },
    say(line = '') {
      if (!json) process.stdout.write(line + '\n');
    },
    result(value: unknown) {
      if (json) process.stdout.write(JSON.stringify(value, null, 2) + '\n');
    },
  };
}

export interface SubmitOptions {
  submit?: boolean;
  remote?: string;
  base?: string;
  githubRepo?: string;
}

/** The environment variable that names the pull requests' repository when the remote cannot. */
export const REPOSITORY_ENV = 'SSS_TOOL_GITHUB_REPOSITORY';

export function submitOption(cmd: Command): Command {
  return cmd
    .option(
      '--submit',
      'commit the new files on a branch, push it and open a pull request (token: $GITHUB_TOKEN, else `gh auth token`)',
    )
    .option('--remote <name>', 'the git remote to push to', 'origin')
    .option('--base <branch>', "the branch the pull request targets (default: the remote's default branch)")
    .option(
      '--github-repo <owner/name>',
      `the repository the pull request is opened in (default: $${REPOSITORY_ENV}, else the remote's URL)`,
    );
}
