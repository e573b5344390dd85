/**
 * What every command shares: the global options, the home dir, the repository, the passphrase,
 * and output (human lines on stdout, or one JSON document with --json).
 */
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { SssError } from '../errors.js';
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
  /** A line on stderr while a long step works: only on a terminal, never with --json. */
  progress(line: string): void;
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
    progress(line: string) {
      if (!json && process.stderr.isTTY) process.stderr.write(`… ${line}\n`);
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

/** The --submit options, and the check that the command runs in a git checkout (it writes there). */
export function submitOption(cmd: Command): Command {
  // `publish --check` writes nothing, so it may run anywhere.
  cmd.hook('preAction', (_self, action) => {
    if (!action.opts().check) requireCheckout(resolve(action.opts().repo ?? '.'));
  });
  return cmd
    .option(
      '--submit',
      'commit the new files on a branch, push it and open a pull request (token: $GITHUB_TOKEN, else `gh auth token`)',
    )
    .option('--remote <name>', 'the git remote the branch is pushed to (your fork, when you cloned one)', 'origin')
    .option('--base <branch>', "the branch the pull request targets (default: the upstream's default branch)")
    .option(
      '--github-repo <owner/name>',
      `the upstream repository the pull request is opened in (default: $${REPOSITORY_ENV}, else the \`upstream\` remote's URL, else the remote's)`,
    );
}

/**
 * Refuses a directory that is not the top of a git checkout, before a step writes anything: the
 * files of a step belong in the ceremony repository, not in whatever directory the shell is in.
 */
export function requireCheckout(dir: string): void {
  const r = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd: dir });
  if (r.status !== 0)
    throw new SssError(
      `${dir} is not a git checkout: clone the ceremony repository (or your fork of it), then run this inside it or pass --repo`,
      { code: 'usage', field: '--repo' },
    );
  const top = r.stdout.toString().trim();
  if (realpathSync(top) !== realpathSync(dir))
    throw new SssError(
      `${dir} is inside the git checkout ${top}, not at its top: run this at the top or pass --repo ${top}`,
      {
        code: 'usage',
        field: '--repo',
      },
    );
}
