/**
 * The bundled Action as the demo runs it: `node dist/index.js` in a checkout of its own, with the
 * event, the inputs and the API URL in the environment, as GitHub Actions would.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimpleGit } from 'simple-git';
import { SssError } from '../../src/errors.js';
import { LocalPull } from '../local-github.js';
import { DEMO_REPOSITORY, DIST, git, identify } from './people.js';

interface ActionResult {
  code: number;
  /** The ceremony's phase after the run (the `status` output). */
  phase: string;
  problems: string[];
  published?: string;
  upToDate?: boolean;
  log: string;
}

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
  async validateAndMerge(
    pr: LocalPull,
    author: string,
    maintainer: SimpleGit,
    say: (line: string) => void,
  ): Promise<void> {
    const run = await this.validate(pr, author);
    if (run.code !== 0)
      throw new SssError(
        `the Action rejected pull request #${pr.number} (${pr.title}): ${run.problems.join('; ') || run.log}`,
        { code: 'invalid' },
      );
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
    const headSha = (await g.revparse([`origin/${pr.head}`])).trim();
    await g.checkout(['--detach', base]);
    await g.merge(['--no-ff', '--no-edit', `origin/${pr.head}`]);
    const event = {
      action: 'opened',
      number: pr.number,
      sender: { login: author },
      pull_request: {
        number: pr.number,
        user: { login: author },
        base: { ref: 'main', sha: base, repo: { full_name: DEMO_REPOSITORY } },
        head: { ref: pr.head, sha: headSha, repo: { full_name: DEMO_REPOSITORY, fork: false } },
      },
      repository: { full_name: DEMO_REPOSITORY, default_branch: 'main', fork: false },
    };
    return this.run('pull_request', event);
  }

  /** The push run on main. */
  async publish(): Promise<ActionResult> {
    const g = await this.checkout();
    await g.checkout(['--detach', 'origin/main']);
    return this.run('push', {
      ref: 'refs/heads/main',
      repository: { full_name: DEMO_REPOSITORY, default_branch: 'main', fork: false },
    });
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
    const committed = /Committed (.+) to <code>main<\/code>/.exec(summary);
    return {
      code,
      phase:
        Object.entries(status)
          .map(([id, phase]) => `${id} at ${phase}`)
          .join(', ') || 'no ceremony',
      problems: stdout
        .split('\n')
        .filter((l) => l.startsWith('::error'))
        .map((l) => l.replace(/^::error[^:]*::/, '')),
      // The summary is Markdown (file names as <code> with entities); the terminal wants the text.
      published: committed
        ? committed[1].replace(/<\/?code>/g, '').replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
        : undefined,
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
