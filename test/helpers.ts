/** Shared test plumbing: temp dirs, running the real CLI binary, git repositories. */
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '..');
export const BIN = join(ROOT, 'bin', 'sss-tool.js');
export const PASSPHRASE = 'correct horse battery staple';

const made: string[] = [];

/** A fresh temp directory, removed after the test run. */
export function tempDir(prefix = 'sss-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

export function cleanupTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `sss-tool` binary. */
export function cli(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined>; input?: string } = {},
): CliResult {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    encoding: 'utf8',
    input: opts.input,
    env: {
      ...process.env,
      SSS_TOOL_PASSPHRASE: PASSPHRASE,
      SSS_TOOL_SCRYPT_LOG_N: '10',
      ...opts.env,
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command and throws with its output if it fails. */
export function ok(args: string[], opts: Parameters<typeof cli>[1] = {}): CliResult {
  const r = cli(args, opts);
  if (r.code !== 0) throw new Error(`sss-tool ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
  return r;
}

/** Runs a command that must fail (a non-zero exit); returns its stderr. */
export function fails(args: string[], opts: Parameters<typeof cli>[1] = {}): string {
  const r = cli(args, opts);
  expect(r.code, r.stdout).not.toBe(0);
  return r.stderr;
}

/** Runs git in a directory and returns stdout. */
export function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}
