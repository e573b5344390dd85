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
