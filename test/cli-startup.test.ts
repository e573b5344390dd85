/**
 * Every `sss-tool` command starts fast: bin/sss-tool.js runs the bundle in lib/bundle/
 * (scripts/bundle-cli.js), src/cli/commands.ts registers options only, and each command loads its
 * body (src/cli/<group>-run.ts, a chunk of its own) when it runs. This runs the real binary under
 * a module hook that records every module it resolves, reads the bundle files it loaded, and
 * checks that printing help evaluates none of the heavy libraries (each costs milliseconds to
 * load); and that the decode worker still starts behind the bundle.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/curves/utils.js';
import { toFileText } from '../src/artifacts/canonical.js';
import { dkgCommit, dkgManifest } from '../src/ceremony/dkg-steps.js';
import { identifierFor } from '../src/crypto/suite.js';
import { BIN, cleanupTempDirs, cli, tempDir } from './helpers.js';
import { runAction } from './action-helpers.js';
import { startLocalGitHub } from '../dev/local-github.js';

const ROOT_DIR = resolve(import.meta.dirname, '..');
const BUNDLE = join(ROOT_DIR, 'lib', 'bundle');
const HEAVY = /^\/\/ node_modules\/(zod|@noble|simple-git|@octokit|age-encryption|@hpke|canonicalize)\//m;

afterAll(cleanupTempDirs);

/** The module URLs the real binary resolves for `args`. */
function loadedModules(args: string[]): { urls: string[]; stdout: string } {
  const dir = tempDir('sss-startup-');
  const log = join(dir, 'loaded.txt');
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, r.url + '\\n');
  return r;
}
`,
  );
  writeFileSync(
    join(dir, 'register.mjs'),
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`,
  );
  writeFileSync(log, '');
  const r = cli(args, { env: { NODE_OPTIONS: `--import ${pathToFileURL(join(dir, 'register.mjs')).href}` } });
  expect(r.code, r.stderr).toBe(0);
  return { urls: readFileSync(log, 'utf8').split('\n').filter(Boolean), stdout: r.stdout };
}

/** The bundle files among `urls`, with their source. */
function bundleFiles(urls: string[]): Map<string, string> {
  const files = urls.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
  return new Map(files.filter((f) => f.startsWith(BUNDLE + '/')).map((f) => [f, readFileSync(f, 'utf8')]));
}

describe('start-up', () => {
  for (const args of [['--help'], ['status', '--help'], ['reshare-deal', '--help'], ['doctor', '--help']])
    it(`sss-tool ${args.join(' ')} loads the bundle's commander part only, none of the heavy libraries`, () => {
      const { urls, stdout } = loadedModules(args);
      expect(stdout).toMatch(/^Usage: sss-tool/);
      // Everything comes from the bundle: no compiled module of lib/ and no package is resolved.
      expect(
        urls.filter((u) => u.startsWith('file:') && !u.endsWith('/bin/sss-tool.js') && !u.includes('/lib/bundle/')),
      ).toEqual([]);
      const files = bundleFiles(urls);
      // The hook saw the program itself, commander included: an empty log would pass vacuously.
      expect(files.get(join(BUNDLE, 'cli.js'))).toMatch(/^\/\/ node_modules\/commander\/lib\/command\.js$/m);
      expect([...files].filter(([, source]) => HEAVY.test(source)).map(([f]) => f)).toEqual([]);
    });

  it('a command loads its own chunk, with the libraries it needs, only when it runs', () => {
    const files = bundleFiles(
      loadedModules(['verify', '--ceremony', 'genesis', '--repo', 'test/golden/transcript']).urls,
    );
    const sources = [...files.values()].join('\n');
    expect(sources).toMatch(/^\/\/ lib\/cli\/ceremony-run\.js$/m);
    expect(sources).toMatch(/^\/\/ node_modules\/zod\//m);
    expect(sources).toMatch(/^\/\/ node_modules\/@noble\/curves\//m);
    // verify needs no GitHub client and no age or HPKE.
    expect(sources).not.toMatch(/^\/\/ node_modules\/(@octokit|age-encryption|@hpke)\//m);
  });

  it('status in a repository without ceremonies loads no audit; with one, it asks git without simple-git', () => {
    const empty = bundleFiles(loadedModules(['status', '--repo', tempDir('sss-startup-repo-')]).urls);
    expect(empty.size).toBeGreaterThan(0);
    expect([...empty.keys()].some((f) => /\/status-run-[^/]+\.js$/.test(f))).toBe(true);
    expect([...empty].filter(([, source]) => HEAVY.test(source)).map(([f]) => f)).toEqual([]);
    const golden = [...bundleFiles(loadedModules(['status', '--repo', 'test/golden/transcript']).urls).values()];
    const sources = golden.join('\n');
    expect(sources).toMatch(/^\/\/ lib\/github\/local-git\.js$/m);
    expect(sources).toMatch(/^\/\/ node_modules\/zod\//m);
    expect(sources).not.toMatch(/^\/\/ node_modules\/(simple-git|@octokit|age-encryption|@hpke)\//m);
  });
});

/**
 * A round 1 of 80 dealers at M = 54 under `dir`/repo: 4 320 commitment points, enough for
 * src/crypto/decode-pool.ts to start workers.
 */
function eightyDealers(dir: string): string {
  const repo = join(dir, 'repo');
  mkdirSync(join(repo, 'ceremonies', 'g', 'round1'), { recursive: true });
  const N = 80;
  const M = 54;
  writeFileSync(join(repo, 'ceremonies', 'g', 'ceremony.json'), toFileText(dkgManifest('g', M, N)));
  for (let i = 0; i < N; i++) {
    const moniker = `p${String(i).padStart(3, '0')}`;
    const signing = ed25519.utils.randomSecretKey();
    const me = {
      moniker,
      identifier: identifierFor(moniker),
      signingSecret: signing,
      encryptionSecret: x25519.utils.randomSecretKey(),
      signingKey: bytesToHex(ed25519.getPublicKey(signing)),
      encryptionKey: bytesToHex(x25519.getPublicKey(x25519.utils.randomSecretKey())),
    };
    const file = join(repo, 'ceremonies', 'g', 'round1', `${moniker}.json`);
    writeFileSync(file, toFileText(dkgCommit('g', me, M, N).artifact));
  }
  spawnSync('git', ['init', '-q'], { cwd: repo });
  return repo;
}

describe('the decode worker behind the bundle', () => {
  it('starts from the bundled CLI (lib/bundle/decode-worker.js) and verify closes round 1 with it', () => {
    // The bundle's pool finds the bundled worker beside it; this counts the workers that came
    // online in the real binary's process.
    const dir = tempDir('sss-startup-workers-');
    const repo = eightyDealers(dir);
    const preload = join(dir, 'count-workers.mjs');
    writeFileSync(
      preload,
      `let made = 0;
let online = 0;
process.on('worker', (w) => { made++; w.once('online', () => online++); });
process.on('exit', () => process.stderr.write('workers made: ' + made + ', online: ' + online + '\\n'));
`,
    );
    const r = spawnSync(
      process.execPath,
      ['--import', pathToFileURL(preload).href, BIN, 'verify', '--ceremony', 'g', '--repo', repo],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/round 2/);
    // The preload runs in each worker too (which starts none): the main thread's count is the largest.
    const online = Math.max(...[...r.stderr.matchAll(/online: (\d+)/g)].map((m) => Number(m[1])));
    expect(online).toBeGreaterThanOrEqual(1);
    // And the worker that ran is the bundled one: a worker inherits the module hook, so what it
    // resolves is logged too; no module of lib/crypto/ is loaded.
    const urls = loadedModules(['verify', '--ceremony', 'g', '--repo', repo]).urls;
    expect(urls.filter((u) => u.endsWith('/lib/bundle/decode-worker.js')).length).toBeGreaterThanOrEqual(1);
    expect(urls.filter((u) => u.includes('/lib/crypto/'))).toEqual([]);
  });

  it('runs no decode-worker.js but its own: a copy of the CLI without one decodes on one thread', () => {
    // A worker runs with the process's rights, so the pool loads only the file beside it, never
    // one found further up: here lib/crypto/decode-worker.js planted in the two directories above
    // the package (a parent directory may be a checkout a pull request writes to).
    const dir = tempDir('sss-startup-planted-');
    const repo = eightyDealers(dir);
    const pkg = join(dir, 'a', 'pkg');
    cpSync(join(ROOT_DIR, 'bin'), join(pkg, 'bin'), { recursive: true });
    cpSync(BUNDLE, join(pkg, 'lib', 'bundle'), { recursive: true });
    rmSync(join(pkg, 'lib', 'bundle', 'decode-worker.js'));
    symlinkSync(join(ROOT_DIR, 'node_modules'), join(pkg, 'node_modules'));
    const marker = join(dir, 'planted-worker-ran');
    for (const planted of [join(dir, 'a', 'lib', 'crypto'), join(dir, 'lib', 'crypto')]) {
      mkdirSync(planted, { recursive: true });
      writeFileSync(
        join(planted, 'decode-worker.js'),
        `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(marker)}, ${JSON.stringify(planted)} + '\\n');\n`,
      );
    }
    const r = spawnSync(
      process.execPath,
      [join(pkg, 'bin', 'sss-tool.js'), 'verify', '--ceremony', 'g', '--repo', repo],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/round 2/);
    expect(existsSync(marker) ? readFileSync(marker, 'utf8') : '').toBe('');
  });

  it('the Action run from inside its workspace runs no decode-worker.js the pull request planted', async () => {
    // A workflow may check the Action out into its own workspace (`uses: ./tools/sss`); the
    // checkout is the pull request's, so lib/crypto/decode-worker.js at its top is the
    // attacker's. The real dist/index.js, copied there, audits 4 320 points: enough for workers.
    const dir = tempDir('sss-action-planted-');
    const workspace = eightyDealers(dir);
    const dist = join(workspace, 'tools', 'sss', 'dist');
    cpSync(join(ROOT_DIR, 'dist'), dist, { recursive: true });
    const marker = join(dir, 'planted-worker-ran');
    mkdirSync(join(workspace, 'lib', 'crypto'), { recursive: true });
    writeFileSync(
      join(workspace, 'lib', 'crypto', 'decode-worker.js'),
      `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(marker)}, 'ran\\n');\n`,
    );
    const gh = await startLocalGitHub({ tokens: { 'test-token': { login: 'github-actions[bot]', type: 'Bot' } } });
    const r = await runAction({
      workspace,
      eventName: 'workflow_dispatch',
      event: {},
      apiUrl: gh.url,
      inputs: { mode: 'status' },
      dist: join(dist, 'index.js'),
    }).finally(() => gh.close());
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.summary).toMatch(/round 2/);
    expect(existsSync(marker) ? readFileSync(marker, 'utf8') : '').toBe('');
  });
});
