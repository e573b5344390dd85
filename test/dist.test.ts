/** dist/ is the committed bundle of the Action; it must be exactly what the sources build to. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from './helpers.js';

it('dist/ is fresh: rebuilding the bundle from lib/ gives the committed files byte for byte', () => {
  // `npm test` has just compiled src/ to lib/.
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'check-dist.js'), '--no-tsc'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(r.status, `${r.stderr}${r.stdout}`).toBe(0);
}, 120_000);

it('the bundle runs on this Node with nothing but the built-in modules', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'index.js')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, INPUT_MODE: 'status', GITHUB_WORKSPACE: join(ROOT, 'test') },
  });
  expect(r.status, r.stderr + r.stdout).toBe(0);
  expect(r.stdout).toContain('sss-tool Action: status');
});
