// `npm run check-dist`: is dist/ (the committed Action bundle) what the sources build to? Rebuilds
// the bundle into a temp dir and compares it with dist/, file by file, as actions/typescript-action's
// check-dist workflow does. Exits 1 with the differing files when dist/ is stale.
// `--no-tsc` skips compiling src/ to lib/ (when lib/ was just built, as in `npm test`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
const require = createRequire(import.meta.url);

function step(args, what) {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`${what} failed:\n${r.stdout}\n${r.stderr}`);
    process.exit(2);
  }
}

if (!process.argv.includes('--no-tsc')) step([require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], 'tsc');
const out = mkdtempSync(join(tmpdir(), 'sss-dist-'));
try {
  step(
    [
      require.resolve('@vercel/ncc/dist/ncc/cli.js'),
      'build',
      'lib/action/index.js',
      '-o',
      out,
      '--license',
      'licenses.txt',
      '-q',
    ],
    'ncc',
  );
  const list = (d) =>
    existsSync(d)
      ? readdirSync(d, { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => join(e.parentPath, e.name).slice(d.length + 1))
          .sort()
      : [];
  const want = list(out);
  const have = list(dist);
  const stale = [...new Set([...want, ...have])].filter(
    (f) => !want.includes(f) || !have.includes(f) || !readFileSync(join(out, f)).equals(readFileSync(join(dist, f))),
  );
  if (stale.length) {
    console.error(`dist/ is stale (${stale.join(', ')}): run \`npm run bundle\` and commit dist/.`);
    process.exit(1);
  }
  console.log(`dist/ matches the sources (${want.length} files).`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
