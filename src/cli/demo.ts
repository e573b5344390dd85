/**
 * `sss-tool demo`: a complete local ceremony, the GitHub way. N participants, each with its own
 * home dir and its own clone of a shared bare repository, submit every step with --submit (a
 * branch and a pull request, opened against a local stand-in for the GitHub API); the real bundled
 * Action validates each pull request before the maintainer merges it, and publishes public_info/
 * on the last push to main. A second publish run shows it changes nothing.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { simpleGit, SimpleGit } from 'simple-git';
import { toFileText } from '../artifacts/canonical.js';
import { FORMATS } from '../artifacts/schemas.js';
import { CIPHERSUITE } from '../crypto/suite.js';
import { SssError } from '../errors.js';
import { LocalPull, startLocalGitHub } from '../github/local-server.js';
import { makeContext, withGlobals } from './context.js';
import { runJoinDemo } from './demo-join.js';
import { runSignDemo } from './demo-sign.js';

const BIN = resolve(fileURLToPath(import.meta.url), '..', '..', '..', 'bin', 'sss-tool.js');
/** The bundled Action, as a repository that `uses:` it runs it. */
const DIST = resolve(fileURLToPath(import.meta.url), '..', '..', '..', 'dist', 'index.js');
export const DEMO_REPOSITORY = 'demo/ceremonies';
const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy', 'rupert', 'sybil', 'trent', 'victor', 'walter'];

export interface DemoParticipant {
  moniker: string;
  home: string;
  clone: string;
  passphraseFile: string;
}

export function register(p: Command): void {
  withGlobals(
    p
      .command('demo')
      .description('a complete local run: a genesis ceremony and a join through pull requests checked by the bundled Action, then M holders sign a JWT')
      .option('--participants <n>', 'number of participants', '5')
      .option('--threshold <t>', 'signers needed', '3')
      .option('--dir <dir>', 'where to put the demo (default: a new temporary directory)'),
  ).action(async (opts) => {
    const ctx = makeContext(opts);
    const n = Number(opts.participants);
    const t = Number(opts.threshold);
    if (!Number.isInteger(n) || n < 2 || n > NAMES.length) throw new SssError(`--participants must be from 2 to ${NAMES.length}`);
    if (!Number.isInteger(t) || t < 2 || t > n) throw new SssError('--threshold must be from 2 to --participants');
    const root = opts.dir ? resolve(opts.dir) : mkdtempSync(join(tmpdir(), 'sss-demo-'));
    const result = await runDemo(root, n, t, (line) => ctx.say(line));
    const joined = await runJoinDemo(result, (line) => ctx.say(line));
    const signers = [...result.participants.slice(0, t - 1), joined.newcomer];
    const signed = await runSignDemo(result.repository, root, signers, (line) => ctx.say(line));
    ctx.say('');
    ctx.say(`Sign with the library, in one Node process: node examples/sign-jwt.mjs ${root}`);
    ctx.result({ ...result, join: joined, sign: signed });
  });
}

/** Runs the whole genesis ceremony; returns where everything is and the group key. */
export async function runDemo(root: string, n: number, t: number, say: (line: string) => void) {
  const ceremony = 'genesis';
  mkdirSync(root, { recursive: true });
  const origin = join(root, 'origin.git');
  const maintainer = join(root, 'maintainer');
  await git(root).init(['--bare', '-b', 'main', origin]);
  await git(root).clone(origin, maintainer);
  const m = git(maintainer);
  await identify(m, 'maintainer');
  writeFileSync(join(maintainer, 'README.md'), '# Demo ceremony repository\n\nArtifacts arrive as pull requests into `ceremonies/<id>/`.\n');
  await m.add('README.md');
  await m.commit('Start the ceremony repository');
  await m.push('origin', 'main');

  const people: DemoParticipant[] = [];
  for (const moniker of NAMES.slice(0, n)) people.push(await newParticipant(root, origin, moniker));
  const github = await startLocalGitHub();
  try {
    const action = new DemoAction(root, origin, github.url);
    say(`Demo: a ${t}-of-${n} genesis ceremony in ${root}`);
    say(`  participants: ${people.map((p) => p.moniker).join(', ')}; each has its own home dir, clone and GitHub login`);
    say(`  GitHub: a local stand-in at ${github.url} for pull requests and comments; origin: ${origin}`);
    say(`  every pull request is checked by the real bundled Action (${relative(process.cwd(), DIST) || DIST}) before the maintainer merges it`);
    say('');

    const review = (pr: LocalPull, author: string) => action.validateAndMerge(pr, author, m, say);

    // The maintainer opens the ceremony with its manifest, through a pull request like anyone else.
    const manifest = { format: FORMATS.ceremony, ceremony, kind: 'dkg', ciphersuite: CIPHERSUITE, threshold: t, participants: n };
    await m.checkoutLocalBranch(`ceremony/${ceremony}/open`);
    mkdirSync(join(maintainer, 'ceremonies', ceremony), { recursive: true });
    writeFileSync(join(maintainer, 'ceremonies', ceremony, 'ceremony.json'), toFileText(manifest));
    await m.add('ceremonies');
    await m.commit(`${ceremony}: open a ${t}-of-${n} ceremony`);
    await m.push('origin', `ceremony/${ceremony}/open`);
    await m.checkout('main');
    github.pulls.push({ number: github.pulls.length + 1, head: `ceremony/${ceremony}/open`, base: 'main', title: `${ceremony}: open a ${t}-of-${n} ceremony`, body: '', state: 'open', merged: false, headRepo: 'demo/ceremonies', user: { login: 'maintainer', type: 'User' }, html_url: '' });
    say('  the maintainer opens the ceremony (ceremonies/genesis/ceremony.json):');
    await review(github.pulls[github.pulls.length - 1], 'maintainer');

    const env = (p: DemoParticipant) => ({ ...process.env, GITHUB_API_URL: github.url, GITHUB_TOKEN: `demo-token-of-${p.moniker}` });
    const run = (p: DemoParticipant, args: string[]) => sssTool([...args, '--home', p.home, '--repo', p.clone, '--passphrase-file', p.passphraseFile], env(p));
    const step = async (name: string, args: (p: DemoParticipant) => string[]) => {
      await pool(people, 2, async (p) => {
        await git(p.clone).pull('origin', 'main');
        await run(p, [...args(p), '--submit', '--github-repo', DEMO_REPOSITORY]);
      });
      const prs = github.pulls.filter((pr) => pr.state === 'open' && pr.head.startsWith(`ceremony/${ceremony}/${name}/`)).sort((a, b) => a.number - b.number);
      say(`  ${name}: ${prs.length} pull requests opened with --submit`);
      for (const pr of prs) await review(pr, pr.head.split('/').pop()!);
    };

    await pool(people, 2, (p) => run(p, ['initialize', '--moniker', p.moniker, '--github', p.moniker, '--endpoint', `https://${p.moniker}.cosigner.example`]));
    say('  initialize: identities created');
    await step('round1', () => ['dkg-round1', '--threshold', String(t), '--participants', String(n), '--ceremony', ceremony]);
    await step('round2', (p) => ['dkg-round2', '--commitments', join(p.clone, 'ceremonies', ceremony, 'round1')]);
    await step('finalize', (p) => ['dkg-finalize', '--shares', join(p.clone, 'ceremonies', ceremony, 'round2')]);

    // The push of the last merge runs the Action in publish mode; a second run has nothing to do.
    const first = await action.publish();
    if (first.code !== 0) throw new SssError(`the Action failed to publish: ${first.problems.join('; ') || first.log}`);
    say(`  publish (push to main): the Action committed ${first.published || 'nothing'}`);
    const second = await action.publish();
    if (second.code !== 0 || second.published) throw new SssError(`the second publish run was not a no-op: ${second.log}`);
    say(`  publish again: ${second.upToDate ? 'public_info/ is up to date, nothing committed' : second.log}`);
    say(`  pull request comments by the Action: ${github.comments.size}; job summaries in ${join(root, 'actions')}`);
  } finally {
    await github.close();
  }

  const { publicKey, peers } = await checkPublished(maintainer, ceremony);
  const keys = people.map((p) => readFileSync(join(p.home, 'trustserver_public_key.pub'), 'utf8').trim());
  if (keys.some((k) => k !== publicKey)) throw new SssError('participants disagree on the group key');
  say('');
  say(`Verified: all ${n} participants hold shares of one key; any ${t} of them can sign.`);
  say(`Group public key (public_info/public_key.txt):`);
  say(`  ${publicKey}`);
  say('Peers (public_info/peers_list.txt):');
  for (const line of peers.trimEnd().split('\n')) say(`  ${line}`);
  say('');
  say(`Repository (main):   ${maintainer}`);
  say(`Public info:         ${join(maintainer, 'public_info')}`);
  say(`Participants' homes: ${join(root, 'participants', '<moniker>', 'home')} (age-encrypted; passphrase in passphrase.txt beside it)`);
  return { root, repository: maintainer, origin, publicKey, participants: people.map((p) => ({ moniker: p.moniker, home: p.home, clone: p.clone, passphraseFile: p.passphraseFile })) };
}

interface ActionResult {
  code: number;
  /** The ceremony's phase after the run (the `status` output). */
  phase: string;
  problems: string[];
  published?: string;
  upToDate?: boolean;
  log: string;
}

/**
 * Runs the bundled Action as GitHub Actions would: `node dist/index.js` in a checkout, with the
 * event, the inputs and the API URL in the environment.
 */
export class DemoAction {
  private runs = 0;
  private readonly runner: string;
  constructor(
    private readonly root: string,
    private readonly origin: string,
    private readonly apiUrl: string,
  ) {
    this.runner = join(root, 'runner');
  }

  private async checkout(): Promise<SimpleGit> {
    if (!existsSync(this.runner)) {
      await git(this.root).clone(this.origin, this.runner);
      await identify(git(this.runner), 'runner');
    }
    const g = git(this.runner);
    await g.fetch('origin');
    return g;
  }

  /**
   * The maintainer's part: merges a pull request (from `maintainer`, a clone) only after this
   * Action validated it, as branch protection would demand.
   */
  async validateAndMerge(pr: LocalPull, author: string, maintainer: SimpleGit, say: (line: string) => void): Promise<void> {
    const run = await this.validate(pr, author);
    if (run.code !== 0) throw new SssError(`the Action rejected pull request #${pr.number} (${pr.title}): ${run.problems.join('; ') || run.log}`);
    await maintainer.fetch('origin');
    await maintainer.merge(['--no-ff', '-m', `Merge pull request #${pr.number} from ${pr.head}`, `origin/${pr.head}`]);
    await maintainer.push('origin', 'main');
    pr.state = 'closed';
    say(`    #${pr.number} ${pr.title} (@${author}): ✓ valid → merged; now ${run.phase}`);
  }

  /** The pull_request run, on the merge of the branch into main (what actions/checkout checks out). */
  async validate(pr: LocalPull, author: string): Promise<ActionResult> {
    const g = await this.checkout();
    const base = (await g.revparse(['origin/main'])).trim();
    await g.checkout(['--detach', base]);
    await g.merge(['--no-ff', '--no-edit', `origin/${pr.head}`]);
    const event = {
      action: 'opened',
      number: pr.number,
      pull_request: { number: pr.number, user: { login: author }, base: { ref: 'main', sha: base, repo: { full_name: DEMO_REPOSITORY } }, head: { ref: pr.head, repo: { full_name: DEMO_REPOSITORY, fork: false } } },
      repository: { full_name: DEMO_REPOSITORY, default_branch: 'main', fork: false },
    };
    return this.run('pull_request', event);
  }

  /** The push run on main. */
  async publish(): Promise<ActionResult> {
    const g = await this.checkout();
    await g.checkout(['--detach', 'origin/main']);
    return this.run('push', { ref: 'refs/heads/main', repository: { full_name: DEMO_REPOSITORY, default_branch: 'main', fork: false } });
  }

  private async run(eventName: string, event: unknown): Promise<ActionResult> {
    const dir = join(this.root, 'actions', `${String(++this.runs).padStart(2, '0')}-${eventName}`);
    mkdirSync(dir, { recursive: true });
    const files = { event: join(dir, 'event.json'), summary: join(dir, 'summary.md'), output: join(dir, 'output.txt') };
    writeFileSync(files.event, JSON.stringify(event, null, 2));
    writeFileSync(files.summary, '');
    writeFileSync(files.output, '');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: eventName,
      GITHUB_EVENT_PATH: files.event,
      GITHUB_WORKSPACE: this.runner,
      GITHUB_REPOSITORY: DEMO_REPOSITORY,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_OUTPUT: files.output,
      GITHUB_API_URL: this.apiUrl,
      INPUT_MODE: 'auto',
      'INPUT_CEREMONIES-DIR': 'ceremonies',
      'INPUT_PUBLIC-INFO-DIR': 'public_info',
      INPUT_MAINTAINERS: 'maintainer',
      'INPUT_PUBLISH-VIA': 'commit',
      INPUT_TOKEN: 'demo-actions-token',
    };
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((done, fail) => {
      const child = spawn(process.execPath, [DIST], { cwd: this.runner, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('error', fail);
      child.on('close', (c) => done({ code: c ?? -1, stdout: out }));
    });
    const outputs = readOutputs(readFileSync(files.output, 'utf8'));
    const status = outputs.status ? (JSON.parse(outputs.status) as Record<string, string>) : {};
    const summary = readFileSync(files.summary, 'utf8');
    const committed = /Committed (.+) to `main`/.exec(summary);
    return {
      code,
      phase: Object.entries(status).map(([id, phase]) => `${id} at ${phase}`).join(', ') || 'no ceremony',
      problems: stdout.split('\n').filter((l) => l.startsWith('::error')).map((l) => l.replace(/^::error[^:]*::/, '')),
      published: committed ? committed[1].replace(/`/g, '') : undefined,
      upToDate: summary.includes('is up to date with the transcript'),
      log: stdout.trim().split('\n').slice(-3).join(' / '),
    };
  }
}

/** GITHUB_OUTPUT's `name<<delimiter` blocks. */
function readOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const h = /^([^<]+)<<(.+)$/.exec(lines[i]);
    if (!h) continue;
    const value: string[] = [];
    while (++i < lines.length && lines[i] !== h[2]) value.push(lines[i]);
    out[h[1]] = value.join('\n');
  }
  return out;
}

/**
 * After a ceremony: pulls main, re-audits the ceremony with the CLI (`verify --require-complete`),
 * checks public_info/ is what the transcript yields, and returns the published key and peers.
 */
export async function checkPublished(repository: string, ceremony: string): Promise<{ publicKey: string; peers: string }> {
  await git(repository).pull('origin', 'main');
  await sssTool(['verify', '--ceremony', ceremony, '--require-complete', '--repo', repository]);
  await sssTool(['publish', '--ceremony', ceremony, '--check', '--repo', repository]);
  return {
    publicKey: readFileSync(join(repository, 'public_info', 'public_key.txt'), 'utf8').trim(),
    peers: readFileSync(join(repository, 'public_info', 'peers_list.txt'), 'utf8'),
  };
}

/** A participant's own corner of the demo: a passphrase file, a home dir, a clone of origin. */
export async function newParticipant(root: string, origin: string, moniker: string): Promise<DemoParticipant> {
  const dir = join(root, 'participants', moniker);
  mkdirSync(dir, { recursive: true });
  const passphraseFile = join(dir, 'passphrase.txt');
  writeFileSync(passphraseFile, `demo passphrase of ${moniker}\n`, { mode: 0o600 });
  const clone = join(dir, 'repo');
  await git(root).clone(origin, clone);
  await identify(git(clone), moniker);
  return { moniker, home: join(dir, 'home'), clone, passphraseFile };
}

export function git(dir: string): SimpleGit {
  return simpleGit({ baseDir: dir });
}

export async function identify(g: SimpleGit, name: string): Promise<void> {
  await g.addConfig('user.name', name);
  await g.addConfig('user.email', `${name}@demo.invalid`);
  await g.addConfig('commit.gpgsign', 'false');
}

/** Runs the real CLI in a child process, as each participant would on their own machine. */
export function sssTool(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolvePromise(out) : reject(new SssError(`sss-tool ${args[0]} failed: ${err.trim() || out.trim()}`))));
  });
}

/** Runs f over items with at most `width` at a time. */
export async function pool<T>(items: T[], width: number, f: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await f(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}
