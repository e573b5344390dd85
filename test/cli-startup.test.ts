/**
 * Every `sss-tool` command starts fast: bin/sss-tool.js runs the bundle in lib/bundle/
 * (scripts/bundle-cli.js), src/cli/commands.ts registers options only, and each command loads its
 * body (src/cli/<group>-run.ts, a chunk of its own) when it runs. This runs the real binary under
 * a module hook that records every module it resolves, reads the bundle files it loaded, and
 * checks that printing help evaluates none of the heavy libraries (each costs milliseconds to
 * load); and that the decode worker still starts from inside the bundle.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/curves/utils.js';
import { cleanupTempDirs, cli, tempDir } from './helpers.js';

const BUNDLE = resolve(import.meta.dirname, '..', 'lib', 'bundle');
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

describe('the decode worker inside the bundle', () => {
  it('starts from the chunk that holds it and decodes like the main thread', async () => {
    // src/crypto/decode-pool.ts starts `new Worker(new URL(import.meta.url))`: in the bundle that
    // URL is the chunk holding decode-pool, whose top level must install the worker's handler.
    const chunks = readdirSync(BUNDLE).filter((f) => f.endsWith('.js'));
    const holders = chunks.filter((f) => readFileSync(join(BUNDLE, f), 'utf8').includes('sss-tool decode worker'));
    expect(holders).toHaveLength(1);
    expect(readFileSync(join(BUNDLE, holders[0]), 'utf8')).toMatch(/new Worker\(new URL\(import\.meta\.url\)/);
    // Its chunk is decode-pool alone (scripts/bundle-cli.js): a worker loads it and noble, not zod.
    const seen = new Set<string>();
    const visit = (f: string) => {
      if (seen.has(f)) return;
      seen.add(f);
      for (const m of readFileSync(join(BUNDLE, f), 'utf8').matchAll(/^import .* from "\.\/([^"]+)";$/gm)) visit(m[1]);
    };
    visit(holders[0]);
    const loaded = [...seen].map((f) => readFileSync(join(BUNDLE, f), 'utf8')).join('\n');
    expect(loaded).toMatch(/^\/\/ node_modules\/@noble\/curves\//m);
    expect(loaded).not.toMatch(/^\/\/ node_modules\/zod\//m);
    const points = [1n, 2n, 3n].map((k) => ed25519.Point.BASE.multiply(k));
    const notOnCurve = '02' + '00'.repeat(31);
    const worker = new Worker(pathToFileURL(join(BUNDLE, holders[0])), { workerData: 'sss-tool decode worker' });
    try {
      const reply = await new Promise<unknown>((ok, fail) => {
        worker.once('message', ok);
        worker.once('error', fail);
        worker.postMessage([...points.map((p) => bytesToHex(p.toBytes())), notOnCurve]);
      });
      expect(reply).toEqual([...points.map((p) => [p.x, p.y]), null]);
    } finally {
      await worker.terminate();
    }
  });
});
