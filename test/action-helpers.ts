/**
 * Plumbing for the GitHub-flow tests: the real CLI and the real bundled Action as child processes
 * (asynchronous, so the in-process local GitHub API can answer them), events as GitHub sends
 * them, and git repositories with a bare origin.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, CliResult, PASSPHRASE, ROOT, git, tempDir } from './helpers.js';

export const DIST = join(ROOT, 'dist', 'index.js');
export const REPOSITORY = 'proofofcloud/ceremonies';

function run(args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The environment without anything a surrounding GitHub Actions run (or the developer) set. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(INPUT_|GITHUB_|GH_|RUNNER_|SSS_TOOL_)/.test(k)) env[k] = v;
  return env;
}

/** Runs the real `sss-tool` binary without blocking this process. */
export async function cliAsync(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return run([BIN, ...args], { ...cleanEnv(), SSS_TOOL_PASSPHRASE: PASSPHRASE, SSS_TOOL_SCRYPT_LOG_N: '10', ...env });
}

/** The compiled demo (`npm run demo` without the build), run as `npm run demo` runs it. */
export const DEMO = join(ROOT, 'lib-dev', 'dev', 'demo', 'main.js');

export async function demoAsync(args: string[]): Promise<CliResult> {
  return run([DEMO, ...args], { ...cleanEnv(), SSS_TOOL_SCRYPT_LOG_N: '10' });
}

export async function okAsync(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const r = await cliAsync(args, env);
  if (r.code !== 0) throw new Error(`sss-tool ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
  return r;
}

export interface ActionRun extends CliResult {
  outputs: Record<string, string>;
  summary: string;
}

export interface ActionOptions {
  workspace: string;
  eventName: string;
  event: unknown;
  apiUrl: string;
  inputs?: Record<string, string>;
  ref?: string;
  /** The bundle to run: dist/index.js, or a copy of it placed elsewhere. */
  dist?: string;
}

/** Runs `node dist/index.js` with the environment GitHub Actions sets for a JavaScript action. */
export async function runAction(o: ActionOptions): Promise<ActionRun> {
  const dir = tempDir('sss-action-');
  const eventPath = join(dir, 'event.json');
  const summaryPath = join(dir, 'summary.md');
  const outputPath = join(dir, 'output.txt');
  writeFileSync(eventPath, JSON.stringify(o.event));
  writeFileSync(summaryPath, '');
  writeFileSync(outputPath, '');
  const inputs = {
    mode: 'auto',
    'ceremonies-dir': 'ceremonies',
    'public-info-dir': 'public_info',
    maintainers: '',
    'publish-via': 'commit',
    token: 'test-token',
    ...o.inputs,
  };
  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: o.eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_WORKSPACE: o.workspace,
    GITHUB_REPOSITORY: REPOSITORY,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_OUTPUT: outputPath,
    GITHUB_API_URL: o.apiUrl,
    GITHUB_REF: o.ref ?? 'refs/heads/main',
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const r = await run([o.dist ?? DIST], env, o.workspace);
  return {
    ...r,
    outputs: parseOutputs(readFileSync(outputPath, 'utf8')),
    summary: existsSync(summaryPath) ? readFileSync(summaryPath, 'utf8') : '',
  };
}

/** GITHUB_OUTPUT's `name<<delimiter` blocks. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]);
    if (!m) continue;
    const value: string[] = [];
    while (++i < lines.length && lines[i] !== m[2]) value.push(lines[i]);
    out[m[1]] = value.join('\n');
  }
  return out;
}

export interface PullRequestEvent {
  number: number;
  author: string;
  baseSha: string;
  headRef?: string;
  fork?: boolean;
  /** Who opened or last pushed (the event's sender); the author when not given. */
  sender?: string;
  /** The pull request's head commit (GitHub always sends it). */
  headSha?: string;
}

/** A pull_request event payload with the fields the Action reads. */
export function pullRequestEvent(e: PullRequestEvent) {
  const [owner] = REPOSITORY.split('/');
  const headRepo = e.fork ? `${e.author}/ceremonies` : REPOSITORY;
  return {
    action: 'synchronize',
    number: e.number,
    sender: { login: e.sender ?? e.author },
    pull_request: {
      number: e.number,
      user: { login: e.author },
      base: { ref: 'main', sha: e.baseSha, repo: { full_name: REPOSITORY, owner: { login: owner } } },
      head: {
        ref: e.headRef ?? `pr-${e.number}`,
        sha: e.headSha,
        repo: { full_name: headRepo, fork: Boolean(e.fork) },
      },
    },
    repository: { full_name: REPOSITORY, default_branch: 'main', fork: false },
  };
}

export function pushEvent(opts: { fork?: boolean } = {}) {
  return {
    ref: 'refs/heads/main',
    repository: { full_name: REPOSITORY, default_branch: 'main', fork: Boolean(opts.fork) },
  };
}

/** A bare origin with one commit on main, and a maintainer's clone of it. */
export function newOrigin(): { root: string; origin: string; maintainer: string } {
  const root = tempDir('sss-flow-');
  const origin = join(root, 'origin.git');
  git(root, 'init', '-q', '--bare', '-b', 'main', origin);
  const maintainer = cloneOf(origin, join(root, 'maintainer'), 'maintainer');
  writeFileSync(join(maintainer, 'README.md'), '# ceremonies\n');
  git(maintainer, 'add', 'README.md');
  git(maintainer, 'commit', '-q', '-m', 'Start');
  git(maintainer, 'push', '-q', 'origin', 'main');
  return { root, origin, maintainer };
}

/** A clone with a committer identity (for the CLI's own commits as well as the test's). */
export function cloneOf(origin: string, dir: string, name: string): string {
  git(ROOT, 'clone', '-q', origin, dir);
  git(dir, 'config', 'user.name', name);
  git(dir, 'config', 'user.email', `${name}@test.invalid`);
  git(dir, 'config', 'commit.gpgsign', 'false');
  return dir;
}

/**
 * A checkout like the one actions/checkout makes for a pull request: the merge of the branch into
 * the current main (refs/pull/N/merge). Returns the base commit the event names.
 */
export function checkoutPullRequest(dir: string, branch: string): string {
  git(dir, 'fetch', '-q', 'origin');
  const base = git(dir, 'rev-parse', 'origin/main').trim();
  git(dir, 'checkout', '-q', '--detach', base);
  git(dir, 'merge', '-q', '--no-ff', '--no-edit', `origin/${branch}`);
  return base;
}
