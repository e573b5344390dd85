// `npm run build` (and `prepare`, so `npm ci` too) ends here: bundles the compiled CLI (lib/cli/main.js)
// and trust-server's spawned commands (lib/server/cli.js) into lib/bundle/, which bin/sss-tool.js
// loads. Why: Node's ESM loader costs about half a millisecond per module, and a command loaded
// some 140 of them (94 from zod) before it did anything (docs/benchmarks.md, "CLI start-up").
//
// Rolldown, not ncc (which bundles the Action): ncc's asset relocator rewrote
// `resolve(ctx.publicInfoDir, 'group.json')` into a path inside the build machine's checkout, and
// copied the decode worker's file as a raw asset; rolldown leaves both alone. Each dynamic
// `import()` stays a chunk, so a command still loads only its own body. The decode worker is an
// entry of its own, lib/bundle/decode-worker.js, beside the pool that starts it: a worker loads
// its modules again in its own isolate, and from the bundle that costs about 15 ms less CPU per
// worker (test/cli-startup.test.ts watches a bundled `verify` start it).
//
// `node scripts/bundle-cli.js` rebuilds lib/bundle/ from lib/ (tsc's output) in about a second.
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'rolldown';

const root = resolve(import.meta.dirname, '..');
export const BUNDLE_DIR = join(root, 'lib', 'bundle');

export async function bundleCli({ quiet = false } = {}) {
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  const result = await build({
    input: {
      cli: join(root, 'lib/cli/main.js'),
      server: join(root, 'lib/server/cli.js'),
      'decode-worker': join(root, 'lib/crypto/decode-worker.js'),
    },
    platform: 'node',
    logLevel: quiet ? 'silent' : 'warn',
    // bottleneck (under Octokit's throttling) reaches its optional Redis clients through a direct
    // eval; we never configure Redis, so that path never runs.
    onLog(level, log, handler) {
      if (log.code === 'EVAL' && log.id?.includes('/node_modules/bottleneck/')) return;
      handler(level, log);
    },
    output: {
      dir: BUNDLE_DIR,
      format: 'esm',
      entryFileNames: '[name].js',
      chunkFileNames: '[name]-[hash].js',
      // Stack traces (SSS_TOOL_DEBUG=1) map back to src/ under `node --enable-source-maps`.
      sourcemap: true,
    },
  });
  return result.output.filter((o) => o.type === 'chunk').map((o) => o.fileName);
}

if (import.meta.url === `file://${process.argv[1]}`) await bundleCli({ quiet: process.argv.includes('--quiet') });

/**
 * vitest's global setup (vitest.config.ts): the tests run bin/sss-tool.js, which runs the bundle, so
 * the bundle is rebuilt from lib/ first; a `npx tsc` alone would otherwise leave it stale.
 */
export async function setup() {
  await bundleCli({ quiet: true });
}
